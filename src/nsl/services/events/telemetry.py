"""The events service's metric families, registered once per process registry."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from nsl.core.metrics import Metrics

LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 3600.0)


@dataclass(frozen=True)
class EventsMetrics:
    deliveries: Counter
    latency: Histogram
    backlog: Gauge
    lag: Gauge
    reorgs: Counter


def events_metrics(metrics: Metrics) -> EventsMetrics:
    return metrics.family("events", _build)


def _build(r: CollectorRegistry) -> EventsMetrics:
    return EventsMetrics(
        deliveries=Counter(
            "nsl_events_deliveries_total",
            "Event deliveries by mode (webhook|bus|inbox), kind (event|retracted) and "
            "outcome (delivered|failed|dead|cancelled).",
            ["mode", "kind", "outcome"],
            registry=r,
        ),
        latency=Histogram(
            "nsl_events_delivery_latency_seconds",
            "Seconds from the event's block time to its delivery, by mode.",
            ["mode"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        ),
        backlog=Gauge(
            "nsl_events_backlog_deliveries",
            "Webhook deliveries waiting to be sent (pending, including retries).",
            registry=r,
        ),
        lag=Gauge(
            "nsl_events_poll_lag_blocks",
            "Blocks between the confirmed chain head and the furthest-behind cursor.",
            ["chain"],
            registry=r,
        ),
        reorgs=Counter(
            "nsl_events_reorgs_total",
            "Chain reorganisations seen (remembered blocks no longer on the chain).",
            ["chain"],
            registry=r,
        ),
    )
