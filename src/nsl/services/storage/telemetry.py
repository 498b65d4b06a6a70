"""The storage service's metric families, registered once per process registry."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter

from nsl.core.metrics import Metrics


@dataclass(frozen=True)
class StorageMetrics:
    bytes_in: Counter
    bytes_out: Counter
    objects: Counter
    quota_rejections: Counter
    integrity_failures: Counter


def storage_metrics(metrics: Metrics) -> StorageMetrics:
    return metrics.family("storage", _build)


def _build(r: CollectorRegistry) -> StorageMetrics:
    return StorageMetrics(
        bytes_in=Counter(
            "nsl_storage_uploaded_bytes_total",
            "Plaintext bytes of object versions stored (completed uploads).",
            registry=r,
        ),
        bytes_out=Counter(
            "nsl_storage_downloaded_bytes_total",
            "Plaintext bytes sent to readers after verification.",
            registry=r,
        ),
        objects=Counter(
            "nsl_storage_object_versions_total",
            "Object versions by outcome (stored|deleted|expired|abandoned).",
            ["outcome"],
            registry=r,
        ),
        quota_rejections=Counter(
            "nsl_storage_quota_rejections_total",
            "Uploads refused for exceeding the owner's quota, by quota (bytes|objects).",
            ["quota"],
            registry=r,
        ),
        integrity_failures=Counter(
            "nsl_storage_integrity_failures_total",
            "Reads refused because a stored chunk or the content hash failed verification.",
            registry=r,
        ),
    )
