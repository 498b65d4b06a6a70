"""The generated files pass the real tools: promtool (config, rules, rule unit tests, service
discovery) and amtool (config, routing). A missing tool is a skip, or a failure under CI=true."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from nsl.core.catalogue import CATALOGUE
from nsl.ops.monitoring import rules
from nsl.ops.monitoring.generate import expressions, render

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (make monitoring-tools)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: the monitoring tools are mandatory)")
    pytest.skip(message)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool(args[0]), *args[1:]], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def write_tree(root: Path, files: Mapping[str, object]) -> None:
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))


def test_promtool_accepts_the_scrape_config_and_its_rule_files() -> None:
    result = run("promtool", "check", "config", str(DEPLOY / "prometheus/prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 rule files found" in result.stdout


def test_promtool_accepts_the_rules_without_lint_findings() -> None:
    files = sorted(str(p) for p in (DEPLOY / "prometheus/rules").glob("*.yml"))
    result = run("promtool", "check", "rules", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_fires_and_stays_quiet_as_its_cases_say() -> None:
    tests = sorted(str(p) for p in (DEPLOY / "prometheus/tests").glob("*.yml"))
    assert len(tests) == len(rules.alert_groups(e.name for e in CATALOGUE))
    result = run("promtool", "test", "rules", *tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_wrong_threshold_makes_the_rule_tests_fail(tmp_path: Path) -> None:
    shutil.copytree(DEPLOY / "prometheus", tmp_path / "prometheus")
    alerts = tmp_path / "prometheus/rules/alerts.yml"
    text = alerts.read_text()
    assert "< 14 * 86400" in text
    alerts.write_text(text.replace("< 14 * 86400", "< 7 * 86400"))
    result = run("promtool", "test", "rules", str(tmp_path / "prometheus/tests/tls.yml"))
    assert result.returncode != 0
    assert "NslCertificateExpiry: ten days left" in result.stdout + result.stderr


def test_every_dashboard_expression_parses(tmp_path: Path) -> None:
    exprs = sorted(
        {
            expr
            for path, text in render().items()
            if path.endswith(".json")
            for expr in expressions(json.loads(text))
        }
    )
    records = [{"record": f"dashboard:check_{i}", "expr": e} for i, e in enumerate(exprs)]
    check = tmp_path / "dashboards.yml"
    check.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": records}]}))
    result = run("promtool", "check", "rules", "--lint=none", str(check))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(exprs)} rules found" in result.stdout


POD = "__meta_kubernetes_pod_"


def pod(address: str, part_of: str, component: str, port: str, **extra: str) -> dict[str, object]:
    labels = {
        f"{POD}label_app_kubernetes_io_part_of": part_of,
        f"{POD}label_app_kubernetes_io_component": component,
        f"{POD}container_port_number": port,
        f"{POD}name": f"{component}-pod",
        "__meta_kubernetes_namespace": "nsl",
        **{f"{POD}{k}": v for k, v in extra.items()},
    }
    return {"targets": [address], "labels": labels}


def test_kubernetes_discovery_keeps_our_pods_on_8080_and_labels_their_component(
    tmp_path: Path,
) -> None:
    """Debian's promtool has no Kubernetes discovery: the same pod labels come from a file and
    go through the shipped relabelling unchanged."""
    config = yaml.safe_load((DEPLOY / "prometheus/prometheus-k8s.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job.pop("kubernetes_sd_configs") == [{"role": "pod"}]
    job["file_sd_configs"] = [{"files": [str(tmp_path / "pods.json")]}]
    pods = [
        pod("10.0.0.1:8080", "neo-service-layer", "keys", "8080"),
        pod("10.0.0.1:9000", "neo-service-layer", "keys", "9000"),
        pod("10.0.0.2:8080", "other-app", "web", "8080"),
        pod("10.0.0.3:8080", "neo-service-layer", "gateway", "8080"),
        pod(
            "10.0.0.4:8080",
            "neo-service-layer",
            "events",
            "8080",
            annotation_prometheus_io_scrape="false",
        ),
    ]
    (tmp_path / "pods.json").write_text(json.dumps(pods))
    shutil.copytree(DEPLOY / "prometheus/rules", tmp_path / "rules")
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    checked = run("promtool", "check", "config", str(tmp_path / "prometheus.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config_file = str(tmp_path / "prometheus.yml")
    # file discovery answers at once; the timeout only bounds the wait for more results
    result = run("promtool", "check", "service-discovery", "--timeout=5s", config_file, "nsl")
    assert result.returncode == 0, result.stderr
    kept = [t["labels"] for t in json.loads(result.stdout) if t["labels"]]
    assert {(t["instance"], t["component"], t["job"]) for t in kept} == {
        ("10.0.0.1:8080", "keys", "nsl"),
        ("10.0.0.3:8080", "gateway", "nsl"),
    }
    assert {t["namespace"] for t in kept} == {"nsl"}


def test_amtool_accepts_the_alertmanager_config() -> None:
    result = run("amtool", "check-config", str(DEPLOY / "alertmanager/alertmanager.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 receivers" in result.stdout and "1 inhibit rules" in result.stdout


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        (["severity=critical", "alertname=NslTargetDown"], "pager"),
        (["severity=warning", "alertname=NslHighLatency"], "team"),
        (["alertname=Unlabelled"], "team"),
    ],
)
def test_alerts_route_by_severity(labels: list[str], receiver: str) -> None:
    config = str(DEPLOY / "alertmanager/alertmanager.yml")
    result = run(
        "amtool", "config", "routes", "test", f"--config.file={config}",
        f"--verify.receivers={receiver}", *labels,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == receiver
