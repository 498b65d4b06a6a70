"""The notifications service's metric families, registered once per process registry."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from nsl.core.metrics import Metrics

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0)


@dataclass(frozen=True)
class NotificationsMetrics:
    deliveries: Counter
    latency: Histogram
    backlog: Gauge
    dead_letters: Gauge


def notifications_metrics(metrics: Metrics) -> NotificationsMetrics:
    return metrics.family("notifications", _build)


def _build(r: CollectorRegistry) -> NotificationsMetrics:
    return NotificationsMetrics(
        deliveries=Counter(
            "nsl_notifications_deliveries_total",
            "Delivery attempts by channel type and outcome (delivered|failed|deferred|dead).",
            ["channel", "outcome"],
            registry=r,
        ),
        latency=Histogram(
            "nsl_notifications_delivery_latency_seconds",
            "Seconds from a notification's due time to its delivery, by channel type.",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        ),
        backlog=Gauge(
            "nsl_notifications_backlog_notifications",
            "Notifications waiting to be delivered (pending, scheduled and retries).",
            registry=r,
        ),
        dead_letters=Gauge(
            "nsl_notifications_dead_letters_notifications",
            "Notifications given up after their retry window (dead letters).",
            registry=r,
        ),
    )
