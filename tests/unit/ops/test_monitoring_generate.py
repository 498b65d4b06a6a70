"""``nsl monitoring generate``: the committed files are current, --check catches drift and stale
files, generation writes only what changed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from nsl.cli.main import app
from nsl.ops.manifests.compose_infra import infrastructure
from nsl.ops.monitoring.topology import (
    ALERTMANAGER,
    DASHBOARDS_PATH,
    PROMETHEUS_URL,
    RETENTION_FLAG,
)

REPO = Path(__file__).resolve().parents[3]
runner = CliRunner()


def generate(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["monitoring", "generate", *args])
    return result.exit_code, result.output


def test_the_committed_monitoring_files_are_current() -> None:
    code, output = generate("--check", "--out", str(REPO / "deploy"))
    assert code == 0, output


def test_check_names_changed_missing_and_stale_files(tmp_path: Path) -> None:
    code, output = generate("--out", str(tmp_path))
    assert code == 0, output
    assert generate("--check", "--out", str(tmp_path))[0] == 0

    (tmp_path / "prometheus/rules/alerts.yml").write_text("groups: []\n")
    (tmp_path / "grafana/dashboards/service-keys.json").unlink()
    (tmp_path / "grafana/dashboards/service-gone.json").write_text("{}\n")
    code, output = generate("--check", "--out", str(tmp_path))
    assert code == 1
    assert "out of date: prometheus/rules/alerts.yml" in output
    assert "missing: grafana/dashboards/service-keys.json" in output
    assert "stale: grafana/dashboards/service-gone.json" in output


def test_generate_rewrites_what_changed_and_removes_stale_files(tmp_path: Path) -> None:
    generate("--out", str(tmp_path))
    stale = tmp_path / "grafana/dashboards/service-gone.json"
    stale.write_text("{}\n")
    (tmp_path / "prometheus/prometheus.yml").write_text("# edited by hand\n")
    code, output = generate("--out", str(tmp_path))
    assert code == 0
    assert "prometheus.yml" in output and "removed" in output
    assert not stale.exists()
    assert generate("--check", "--out", str(tmp_path))[0] == 0
    untouched = (tmp_path / "prometheus/rules/alerts.yml").stat().st_mtime_ns
    assert generate("--out", str(tmp_path))[1].strip().endswith("0 changed")
    assert (tmp_path / "prometheus/rules/alerts.yml").stat().st_mtime_ns == untouched


def test_receivers_are_given_at_generation_and_checked(tmp_path: Path) -> None:
    url = "https://chat.example/hooks/abc"
    code, output = generate("--out", str(tmp_path), "--team-webhook", url)
    assert code == 0
    assert url not in output
    assert url in (tmp_path / "alertmanager/alertmanager.yml").read_text()
    code, output = generate("--out", str(tmp_path), "--pager-webhook", "not a url")
    assert code == 2
    assert "pager webhook" in output


def test_the_compose_file_mounts_these_files_where_the_configs_expect_them() -> None:
    services = infrastructure()["services"]
    prometheus, grafana = services["prometheus"], services["grafana"]
    assert "../prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    assert RETENTION_FLAG in prometheus["command"]
    assert "../alertmanager:/etc/alertmanager:ro" in services["alertmanager"]["volumes"]
    assert f"../grafana/dashboards:{DASHBOARDS_PATH}:ro" in grafana["volumes"]
    assert "../grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    assert {"prometheus", ALERTMANAGER.split(":")[0]} <= set(services)
    assert PROMETHEUS_URL == "http://prometheus:9090"
