"""The oracle's metric families, registered once per process registry."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from nsl.core.metrics import Metrics


@dataclass(frozen=True)
class OracleMetrics:
    feed_age: Gauge
    heartbeat: Gauge
    refused: Counter
    rounds: Counter
    excluded: Counter
    round_latency: Histogram
    pushes: Counter


def oracle_metrics(metrics: Metrics) -> OracleMetrics:
    return metrics.family("oracle", _build)


def _build(r: CollectorRegistry) -> OracleMetrics:
    return OracleMetrics(
        feed_age=Gauge(
            "nsl_oracle_feed_age_seconds",
            "Seconds since the feed's last final round.",
            ["feed"],
            registry=r,
        ),
        heartbeat=Gauge(
            "nsl_oracle_feed_heartbeat_seconds",
            "The feed's heartbeat: a round at least this often.",
            ["feed"],
            registry=r,
        ),
        refused=Counter(
            "nsl_oracle_rounds_refused_total",
            "Observations or reports refused, by reason (min_sources, spread, single_source, "
            "node_disagrees, bad_proposal).",
            ["reason"],
            registry=r,
        ),
        rounds=Counter(
            "nsl_oracle_rounds_total", "Rounds finalized with a quorum of signatures.", registry=r
        ),
        excluded=Counter(
            "nsl_oracle_sources_excluded_total",
            "Source answers excluded, by reason.",
            ["reason"],
            registry=r,
        ),
        round_latency=Histogram(
            "nsl_oracle_round_latency_seconds",
            "Seconds from the first node observation to the final signed report.",
            buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0),
            registry=r,
        ),
        pushes=Counter(
            "nsl_oracle_pushes_total",
            "Reports submitted to consumer contracts, by chain and outcome.",
            ["chain", "outcome"],
            registry=r,
        ),
    )
