"""What Prometheus scrapes: the gateway process and one process per catalogue service, named as
the compose services and labelled as the Kubernetes pods are (``component``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nsl.core.catalogue import CATALOGUE, Entry

GATEWAY = "gateway"
PORT = 8080
JOB = "nsl"
PART_OF = "neo-service-layer"  # app.kubernetes.io/part-of on every pod of ours
SCRAPE_INTERVAL = "15s"
RETENTION = "90d"  # the seed's 90 days: a Prometheus flag, not part of its config file
RETENTION_FLAG = f"--storage.tsdb.retention.time={RETENTION}"
PROMETHEUS_URL = "http://prometheus:9090"
ALERTMANAGER = "alertmanager:9093"
DASHBOARDS_PATH = "/etc/grafana/dashboards"  # where the compose file mounts dashboards/


@dataclass(frozen=True)
class Component:
    """One process kind: ``gateway`` or a catalogue service, and its scrape address."""

    name: str
    address: str


def components(entries: Iterable[Entry] = CATALOGUE) -> list[Component]:
    """The gateway, then each service that runs as a process of its own.

    Required services (``auth``) run inside every process, so they have no process of their own.
    """
    names = [GATEWAY, *(e.name for e in entries if not e.required)]
    return [Component(name, f"nsl-{name}:{PORT}") for name in names]
