"""The backup service's metric families, registered once per process registry."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from nsl.core.metrics import Metrics

DURATION_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 14400.0)


@dataclass(frozen=True)
class BackupMetrics:
    last_success: Gauge
    failures: Counter
    bytes: Counter
    duration: Histogram


def backup_metrics(metrics: Metrics) -> BackupMetrics:
    return metrics.family("backup", _build)


def _build(r: CollectorRegistry) -> BackupMetrics:
    return BackupMetrics(
        last_success=Gauge(
            "nsl_backup_last_success_timestamp_seconds",
            "Unix time of the newest backup of each kind written to every target.",
            ["kind"],
            registry=r,
        ),
        failures=Counter(
            "nsl_backup_failures_total",
            "Backups that failed, by kind and target (target 'all': nothing was written).",
            ["kind", "target"],
            registry=r,
        ),
        bytes=Counter(
            "nsl_backup_bytes_total",
            "Stored (compressed, encrypted) bytes written per target copy, by kind.",
            ["kind"],
            registry=r,
        ),
        duration=Histogram(
            "nsl_backup_duration_seconds",
            "Seconds one backup took, by kind.",
            ["kind"],
            buckets=DURATION_BUCKETS,
            registry=r,
        ),
    )
