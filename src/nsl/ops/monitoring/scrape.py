"""Prometheus configuration: static targets (compose) and pod discovery (Kubernetes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nsl.ops.monitoring.topology import (
    ALERTMANAGER,
    JOB,
    PART_OF,
    PORT,
    SCRAPE_INTERVAL,
    Component,
)

RULE_FILES = ("rules/recording.yml", "rules/alerts.yml")
_K8S_LABEL = "__meta_kubernetes_pod_label_app_kubernetes_io_"


def _base(interval: str, rule_files: Sequence[str], alertmanager: str | None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "global": {
            "scrape_interval": interval,
            "evaluation_interval": interval,
            "external_labels": {"system": PART_OF},
        },
        "rule_files": list(rule_files),
    }
    if alertmanager:
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]}
    return config


def static_config(
    components: Sequence[Component],
    interval: str = SCRAPE_INTERVAL,
    rule_files: Sequence[str] = RULE_FILES,
    alertmanager: str | None = ALERTMANAGER,
) -> dict[str, Any]:
    """Scrape each component at its fixed address, labelled ``component=<name>``."""
    config = _base(interval, rule_files, alertmanager)
    config["scrape_configs"] = [
        {
            "job_name": JOB,
            "metrics_path": "/metrics",
            "static_configs": [
                {"targets": [c.address], "labels": {"component": c.name}} for c in components
            ],
        }
    ]
    return config


def kubernetes_config(
    interval: str = SCRAPE_INTERVAL, alertmanager: str | None = ALERTMANAGER
) -> dict[str, Any]:
    """Scrape every pod labelled ``app.kubernetes.io/part-of=neo-service-layer`` on port 8080,
    its ``app.kubernetes.io/component`` label becoming ``component`` (as the static targets)."""
    config = _base(interval, RULE_FILES, alertmanager)
    relabel = [
        {"source_labels": [f"{_K8S_LABEL}part_of"], "regex": PART_OF, "action": "keep"},
        {
            "source_labels": ["__meta_kubernetes_pod_container_port_number"],
            "regex": str(PORT),
            "action": "keep",
        },
        {
            "source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
            "regex": "false",
            "action": "drop",
        },
        {"source_labels": [f"{_K8S_LABEL}component"], "target_label": "component"},
        {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
        {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
    ]
    config["scrape_configs"] = [
        {
            "job_name": JOB,
            "metrics_path": "/metrics",
            "kubernetes_sd_configs": [{"role": "pod"}],
            "relabel_configs": relabel,
        }
    ]
    return config
