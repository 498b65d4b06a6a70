"""The automation service's metric families, registered once per process registry."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from nsl.core.metrics import Metrics

LAG_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


@dataclass(frozen=True)
class AutomationMetrics:
    lag: Histogram
    executions: Counter
    active: Gauge


def automation_metrics(metrics: Metrics) -> AutomationMetrics:
    return metrics.family("automation", _build)


def _build(r: CollectorRegistry) -> AutomationMetrics:
    return AutomationMetrics(
        lag=Histogram(
            "nsl_automation_lag_seconds",
            "Seconds from an execution's due time to the start of its first attempt.",
            buckets=LAG_BUCKETS,
            registry=r,
        ),
        executions=Counter(
            "nsl_automation_executions_total",
            "Execution attempts by action type and outcome (succeeded|retrying|failed).",
            ["action", "outcome"],
            registry=r,
        ),
        active=Gauge(
            "nsl_automation_active_jobs",
            "Jobs whose status is active (all owners).",
            registry=r,
        ),
    )
