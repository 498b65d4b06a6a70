"""Alert specifications: every alert has cases that fire and stay quiet, a runbook, and joins or
leaves with its service in the catalogue; scrape targets and routing follow the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from nsl.core.catalogue import CATALOGUE
from nsl.ops.monitoring import alertmanager, rules, scrape
from nsl.ops.monitoring.generate import render
from nsl.ops.monitoring.rules_services import SERVICE_GROUPS
from nsl.ops.monitoring.rulespec import Alert, render_template
from nsl.ops.monitoring.topology import components

REPO = Path(__file__).resolve().parents[3]
NAMES = [e.name for e in CATALOGUE]
EVERY_GROUP = rules.alert_groups(NAMES)
EVERY_ALERT = [a for g in EVERY_GROUP for a in g.alerts]


def ids(alert: Alert) -> str:
    return alert.name


@pytest.mark.parametrize("alert", EVERY_ALERT, ids=ids)
def test_every_alert_has_a_case_that_fires_and_one_that_stays_quiet(alert: Alert) -> None:
    assert any(case.fires for case in alert.cases)
    assert any(not case.fires for case in alert.cases)
    fired = {labels["severity"] for case in alert.cases for labels in case.fires}
    assert fired == {rule.severity for rule in alert.rules}


@pytest.mark.parametrize("alert", EVERY_ALERT, ids=ids)
def test_every_alert_has_a_runbook_section_and_renderable_annotations(alert: Alert) -> None:
    doc = (REPO / "docs" / "operations-monitoring.md").read_text()
    assert re.search(rf"^#+ {alert.name}$", doc, re.MULTILINE)
    assert alert.runbook_url.endswith("#" + alert.name.lower())
    for rule in alert.rules:
        assert rule.severity in {"critical", "warning"}
        render_template(rule.summary, {})
        render_template(rule.description, {})


def test_annotations_other_than_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="more than"):
        render_template("{{ $value }} left", {})
    assert render_template("{{ $labels.chain }} down", {"chain": "neo-x"}) == "neo-x down"


def test_alert_names_are_unique_across_groups() -> None:
    names = [a.name for a in EVERY_ALERT]
    assert len(names) == len(set(names))


def test_service_groups_are_keyed_by_catalogue_names() -> None:
    assert set(SERVICE_GROUPS) <= set(NAMES)


def test_a_service_group_is_emitted_only_while_the_service_is_in_the_catalogue() -> None:
    emitted = {g.name for g in rules.alert_groups(NAMES)}
    assert {"nsl-service-events", "nsl-service-secrets"} <= emitted
    assert {"nsl-service-oracle", "nsl-service-backup", "nsl-service-storage"} <= emitted
    without_events = {g.name for g in rules.alert_groups(n for n in NAMES if n != "events")}
    assert "nsl-service-events" not in without_events


def test_the_oracle_in_the_catalogue_brings_its_rules() -> None:
    alerts = yaml.safe_load(render()["prometheus/rules/alerts.yml"])
    assert "nsl-service-oracle" in {g["name"] for g in alerts["groups"]}


def test_the_committed_rules_name_only_exported_or_recorded_metrics() -> None:
    files = render()
    alerts = yaml.safe_load(files["prometheus/rules/alerts.yml"])
    groups = {g["name"] for g in alerts["groups"]}
    assert groups == {g.name for g in rules.alert_groups(NAMES)}
    recorded = yaml.safe_load(files["prometheus/rules/recording.yml"])
    assert [g["name"] for g in recorded["groups"]] == ["nsl-http-recording"]
    assert all("alert" in r for g in alerts["groups"] for r in g["rules"])
    assert all("record" in r for g in recorded["groups"] for r in g["rules"])


def test_static_targets_are_the_gateway_and_one_process_per_service() -> None:
    config = scrape.static_config(components())
    (job,) = config["scrape_configs"]
    targets = {t["targets"][0]: t["labels"]["component"] for t in job["static_configs"]}
    expected = {f"nsl-{e.name}:8080": e.name for e in CATALOGUE if not e.required}
    assert targets == {"nsl-gateway:8080": "gateway", **expected}
    assert "nsl-auth:8080" not in targets
    assert config["global"]["scrape_interval"] == "15s"
    assert config["rule_files"] == ["rules/recording.yml", "rules/alerts.yml"]


def test_a_critical_tier_mutes_warnings_about_the_same_subject_only() -> None:
    equal = alertmanager.inhibit_equal(EVERY_GROUP)
    assert {"alertname", "instance", "chain", "file", "feed", "kind"} <= set(equal)
    assert "endpoint" not in equal  # every-endpoint-down mutes each endpoint's warning
    assert "severity" not in equal


def test_receivers_must_be_http_urls() -> None:
    with pytest.raises(ValueError, match="pager webhook"):
        alertmanager.Receivers(pager="file:///etc/passwd")
    config = alertmanager.config([], alertmanager.Receivers(team="https://chat.example/hook"))
    urls = {r["name"]: r["webhook_configs"][0]["url"] for r in config["receivers"]}
    assert urls == {"pager": "http://127.0.0.1:9095/pager", "team": "https://chat.example/hook"}
