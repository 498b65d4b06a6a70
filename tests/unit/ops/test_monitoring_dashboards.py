"""Grafana dashboards: structurally valid, one per catalogue service with its domain metrics,
every query naming metrics that exist, provisioned where the compose file mounts them."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from nsl.core.catalogue import CATALOGUE
from nsl.ops.monitoring import dashboards, recording
from nsl.ops.monitoring.generate import render
from nsl.ops.monitoring.grafana import DATASOURCE
from nsl.ops.monitoring.promql import metric_names, unknown_metrics
from nsl.ops.monitoring.topology import DASHBOARDS_PATH

FILES = render()
BOARDS = {
    path.rsplit("/", 1)[1]: json.loads(text)
    for path, text in FILES.items()
    if path.startswith("grafana/dashboards/")
}


def cells(panel: dict[str, Any]) -> set[tuple[int, int]]:
    g = panel["gridPos"]
    return {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_every_panel_has_the_datasource_a_valid_place_and_queries(name: str) -> None:
    board = BOARDS[name]
    assert board["uid"] and board["title"] and board["schemaVersion"] >= 36
    used: set[tuple[int, int]] = set()
    panel_ids = [p["id"] for p in board["panels"]]
    assert len(panel_ids) == len(set(panel_ids))
    for panel in board["panels"]:
        assert panel["datasource"] == DATASOURCE
        g = panel["gridPos"]
        assert all(isinstance(g[k], int) for k in ("h", "w", "x", "y"))
        assert g["w"] > 0 and g["h"] > 0 and g["x"] >= 0 and g["y"] >= 0
        assert g["x"] + g["w"] <= 24
        assert not cells(panel) & used, f"{panel['title']} overlaps another panel"
        used |= cells(panel)
        assert panel["targets"], panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs))
        for target in panel["targets"]:
            assert target["datasource"] == DATASOURCE
            assert target["expr"].strip()


def test_dashboard_uids_are_unique() -> None:
    uids = [b["uid"] for b in BOARDS.values()]
    assert len(uids) == len(set(uids))


def test_there_is_an_overview_a_chains_board_and_one_per_catalogue_service() -> None:
    expected = {"overview.json", "chains.json"} | {f"service-{e.name}.json" for e in CATALOGUE}
    assert set(BOARDS) == expected


def test_a_service_board_draws_rate_latency_errors_and_its_domain_metrics() -> None:
    board = BOARDS["service-events.json"]
    exprs = [t["expr"] for p in board["panels"] for t in p["targets"]]
    names = set().union(*(metric_names(e) for e in exprs))
    assert {
        "nsl_http_requests_total",
        "nsl_http_request_duration_seconds_bucket",
        "nsl_service_operations_total",
        "nsl_events_deliveries_total",
        "nsl_events_delivery_latency_seconds_bucket",
        "nsl_events_backlog_deliveries",
        "nsl_events_poll_lag_blocks",
        "nsl_events_reorgs_total",
    } <= names
    assert all('route=~"/api/v1/events(/.*)?"' in e for e in exprs if "nsl_http_" in e)
    assert any("histogram_quantile(0.99" in e for e in exprs)
    titles = [p["title"] for p in board["panels"]]
    assert {"Requests by route", "5xx ratio", "Latency"} <= set(titles)


def test_a_service_without_domain_metrics_gets_the_standard_panels_only() -> None:
    board = dashboards.service("keys")
    assert len(board["panels"]) == 8


def test_every_dashboard_query_names_an_exported_or_recorded_metric() -> None:
    exprs = {
        name: [t["expr"] for p in board["panels"] for t in p["targets"]]
        for name, board in BOARDS.items()
    }
    assert unknown_metrics(exprs, recording.recorded_names()) == {}


def test_provisioning_points_grafana_at_prometheus_and_the_dashboards() -> None:
    sources = yaml.safe_load(FILES["grafana/provisioning/datasources/prometheus.yml"])
    (source,) = sources["datasources"]
    assert source["uid"] == DATASOURCE["uid"] and source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    providers = yaml.safe_load(FILES["grafana/provisioning/dashboards/neo-service-layer.yml"])
    (provider,) = providers["providers"]
    assert provider["options"]["path"] == DASHBOARDS_PATH
