"""The metric inventory read from source matches what a real runtime registers, and PromQL
references resolve only to metrics that exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import generate_latest

from nsl.core.settings import Settings
from nsl.ops.monitoring import inventory
from nsl.ops.monitoring.promql import metric_names, unknown_metrics
from nsl.runtime import Runtime
from nsl.services.contracts.settlement import settled_counter
from nsl.services.secrets.rotation import due_gauge


def registered(runtime: Runtime) -> set[str]:
    text = generate_latest(runtime.metrics.registry).decode()
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")}


def full_runtime(tmp_path: Path) -> Runtime:
    settings = Settings(
        env="test",
        data_dir=tmp_path / "var",
        phase=4,
        http={"tls_cert_file": tmp_path / "server.crt", "tls_key_file": tmp_path / "server.key"},
    )
    return Runtime(settings, phase=4)


def test_the_scan_finds_every_family_a_runtime_with_every_service_registers(
    tmp_path: Path,
) -> None:
    runtime = full_runtime(tmp_path)
    exposed = {f.exposed for f in inventory.families()}
    names = registered(runtime)
    assert {"nsl_http_requests_total", "nsl_tls_certificate_expiry_seconds"} <= names
    assert names - exposed == set()


def test_the_scan_finds_families_services_register_on_first_use(tmp_path: Path) -> None:
    runtime = full_runtime(tmp_path)
    settled_counter(runtime.metrics)
    due_gauge(runtime.metrics)
    exposed = {f.exposed for f in inventory.families()}
    assert {"nsl_contracts_settled_total", "nsl_secrets_rotation_due_secrets"} <= registered(
        runtime
    ) & exposed


def test_series_names_follow_the_family_kind() -> None:
    series = inventory.series_names()
    assert {
        "nsl_http_request_duration_seconds_bucket",
        "nsl_http_request_duration_seconds_sum",
        "nsl_http_request_duration_seconds_count",
        "nsl_build_info",
        "nsl_http_requests_total",
    } <= series
    assert "nsl_http_request_duration_seconds" not in series
    assert "nsl_build" not in series


def test_families_carry_their_label_names() -> None:
    by_name = {f.name: f for f in inventory.families()}
    assert by_name["nsl_http_requests_total"].labels == ("method", "route", "status")
    assert by_name["nsl_events_poll_lag_blocks"].labels == ("chain",)
    assert by_name["nsl_outbox_backlog_events"].kind == "gauge"


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ('up{job="nsl"} == 0', {"up"}),
        (
            'sum by (job, le) (rate(nsl_x_bucket{route=~"/a(/.*)?"}[5m])) / on (job) b:c:d',
            {"nsl_x_bucket", "b:c:d"},
        ),
        (
            "time() - nsl_t > 3 * 3600 unless on (service, task) (nsl_u offset 5m)",
            {"nsl_t", "nsl_u"},
        ),
        ("histogram_quantile(0.95, x) > 1e3 and bool y", {"x", "y"}),
        ('count(ALERTS{alertstate="firing"}) or vector(0)', {"ALERTS"}),
        ('absent(up{job="a and b"})', {"up"}),
    ],
)
def test_metric_names_finds_selectors_only(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_unknown_metrics_names_what_nothing_exports_and_where() -> None:
    exprs = {
        "rules.yml": ["rate(nsl_http_requests_total[5m])", "nsl_nothing_exports_this_seconds > 1"],
        "board.json": ["rec:orded > 1", "up == 0"],
    }
    unknown = unknown_metrics(exprs, ["rec:orded"])
    assert unknown == {"nsl_nothing_exports_this_seconds": "rules.yml"}
