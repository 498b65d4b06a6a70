"""Grafana building blocks: panels laid out on the 24-column grid, dashboards, provisioning."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nsl.ops.monitoring.topology import DASHBOARDS_PATH, PROMETHEUS_URL, SCRAPE_INTERVAL

DATASOURCE = {"type": "prometheus", "uid": "nsl-prometheus"}
TAG = "neo-service-layer"
COLUMNS = 24


@dataclass(frozen=True)
class Panel:
    """A panel: its queries as (PromQL, legend) pairs."""

    title: str
    queries: tuple[tuple[str, str], ...]
    unit: str = "short"
    kind: str = "timeseries"
    width: int = 12
    height: int = 8
    description: str = ""


def stat(title: str, expr: str, unit: str = "short", description: str = "") -> Panel:
    return Panel(title, ((expr, ""),), unit, "stat", 6, 4, description)


def _options(kind: str) -> dict[str, Any]:
    if kind == "stat":
        return {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "value",
            "graphMode": "none",
            "textMode": "auto",
        }
    return {
        "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
        "tooltip": {"mode": "multi", "sort": "desc"},
    }


def _panel_json(panel: Panel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    targets = [
        {
            "refId": chr(ord("A") + i),
            "datasource": DATASOURCE,
            "expr": expr,
            "legendFormat": legend or "__auto",
            "instant": panel.kind == "stat",
            "range": panel.kind != "stat",
        }
        for i, (expr, legend) in enumerate(panel.queries)
    ]
    return {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": {"h": panel.height, "w": panel.width, "x": x, "y": y},
        "targets": targets,
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "options": _options(panel.kind),
    }


def layout(panels: Sequence[Panel]) -> list[dict[str, Any]]:
    """Left to right, wrapping at 24 columns; a row is as tall as its tallest panel."""
    out, x, y, row_height = [], 0, 0, 0
    for panel_id, panel in enumerate(panels, start=1):
        if x + panel.width > COLUMNS:
            x, y, row_height = 0, y + row_height, 0
        out.append(_panel_json(panel, panel_id, x, y))
        x += panel.width
        row_height = max(row_height, panel.height)
    return out


def dashboard(
    uid: str, title: str, panels: Sequence[Panel], tags: Sequence[str] = ()
) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "tags": [TAG, *tags],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "graphTooltip": 1,
        "time": {"from": "now-6h", "to": "now"},
        "refresh": "30s",
        "templating": {"list": []},
        "annotations": {"list": []},
        "links": [
            {
                "title": "Neo Service Layer",
                "type": "dashboards",
                "tags": [TAG],
                "asDropdown": True,
                "keepTime": True,
                "includeVars": False,
            }
        ],
        "panels": layout(panels),
    }


def datasources() -> dict[str, Any]:
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "name": "Prometheus",
                "uid": DATASOURCE["uid"],
                "type": "prometheus",
                "access": "proxy",
                "url": PROMETHEUS_URL,
                "isDefault": True,
                "jsonData": {"timeInterval": SCRAPE_INTERVAL},
            }
        ],
    }


def dashboard_provider() -> dict[str, Any]:
    return {
        "apiVersion": 1,
        "providers": [
            {
                "name": TAG,
                "folder": "Neo Service Layer",
                "type": "file",
                "disableDeletion": True,
                "allowUiUpdates": False,
                "updateIntervalSeconds": 60,
                "options": {"path": DASHBOARDS_PATH, "foldersFromFilesStructure": False},
            }
        ],
    }
