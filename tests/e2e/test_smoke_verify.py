"""``nsl smoke`` and ``nsl verify`` against real ``nsl up`` processes and a broken stand-in."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import tests.e2e.conftest as e2e
from tests.e2e.conftest import run_nsl
from tests.e2e.test_tls import self_signed

from nsl import __version__

ORIGIN = "https://app.example"


def outcomes(stdout: str) -> dict[str, dict[str, str]]:
    report = json.loads(stdout)
    return {r["name"]: r for r in report["results"]}


class AlwaysOk(BaseHTTPRequestHandler):
    """Answers 200 "OK" to every request: up, but not a service layer."""

    def _ok(self) -> None:
        body = b"OK"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_OPTIONS = do_POST = _ok

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def always_ok() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), AlwaysOk)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_smoke_passes_against_nsl_up_with_an_allowed_origin(spawn: Any) -> None:
    process = spawn(env={"NSL_HTTP__CORS_ORIGINS": json.dumps([ORIGIN])})
    key = (process.data_dir / "admin-api-key").read_text().strip()
    result = run_nsl(
        "smoke",
        process.url,
        "--api-key",
        key,
        "--origin",
        ORIGIN,
        "--format",
        "json",
        data_dir=process.data_dir,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    checks = outcomes(result.stdout)
    assert checks.pop("hsts") == {
        "name": "hsts",
        "outcome": "skipped",
        "detail": "not applicable: the URL is not https",
    }
    assert {name: c["outcome"] for name, c in checks.items()} == {
        name: "passed"
        for name in (
            "live",
            "ready",
            "health",
            "info",
            "unauthenticated",
            "authenticated",
            "cors",
            "metrics",
            "rate_limit",
        )
    }
    assert checks["rate_limit"]["detail"].startswith("429 after ")
    assert key not in result.stdout + result.stderr


def test_smoke_lists_unchecked_parts_as_skipped_not_passed(spawn: Any) -> None:
    process = spawn()
    as_json = run_nsl(
        "smoke", process.url, "--burst", "0", "--format", "json", data_dir=process.data_dir
    )
    assert as_json.returncode == 0, as_json.stdout + as_json.stderr
    checks = outcomes(as_json.stdout)
    assert {name: c["detail"] for name, c in checks.items() if c["outcome"] == "skipped"} == {
        "authenticated": "not checked: no --api-key given",
        "cors": "not checked: no --origin given",
        "rate_limit": "not checked: --burst 0",
        "hsts": "not applicable: the URL is not https",
    }
    table = run_nsl("smoke", process.url, "--burst", "0", data_dir=process.data_dir)
    assert table.returncode == 0
    assert "not checked: no --origin given" in table.stdout
    assert "all checks performed passed (4 skipped)" in table.stdout


def test_smoke_fails_against_a_server_that_answers_200_to_everything(always_ok: str) -> None:
    result = run_nsl(
        "smoke",
        always_ok,
        "--origin",
        ORIGIN,
        "--burst",
        "20",
        "--format",
        "json",
        data_dir=Path("/nonexistent"),
    )
    assert result.returncode == 1, result.stdout + result.stderr
    checks = outcomes(result.stdout)
    failed = {name for name, c in checks.items() if c["outcome"] == "failed"}
    assert failed == {
        "live",
        "ready",
        "health",
        "info",
        "unauthenticated",
        "cors",
        "metrics",
        "rate_limit",
    }
    assert checks["rate_limit"]["detail"] == "no 429 after 20 requests to /api/info"
    assert checks["unauthenticated"]["detail"].endswith(": 200")
    assert json.loads(result.stdout)["passed"] is False


def test_smoke_over_https_checks_hsts(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    trusted = ssl.create_default_context(cafile=str(cert))
    env = {"NSL_HTTP__TLS_CERT_FILE": str(cert), "NSL_HTTP__TLS_KEY_FILE": str(key)}
    process = e2e.NslProcess(tmp_path / "var", env=env, verify=trusted).start()
    try:
        result = run_nsl(
            "smoke",
            process.url,
            "--ca-file",
            str(cert),
            "--burst",
            "0",
            "--format",
            "json",
            data_dir=process.data_dir,
        )
    finally:
        process.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    hsts = outcomes(result.stdout)["hsts"]
    assert hsts["outcome"] == "passed"
    assert hsts["detail"].startswith("max-age=31536000")


def test_smoke_refuses_a_url_without_scheme() -> None:
    result = run_nsl("smoke", "127.0.0.1:8080", data_dir=Path("/nonexistent"))
    assert result.returncode == 2
    assert "bad URL" in result.stderr


def test_verify_passes_for_an_enabled_healthy_service_at_its_version(spawn: Any) -> None:
    process = spawn()
    for service in ("configuration", "gateway"):
        result = run_nsl(
            "verify",
            service,
            __version__,
            "--url",
            process.url,
            "--format",
            "json",
            data_dir=process.data_dir,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        checks = outcomes(result.stdout)
        assert [c["outcome"] for c in checks.values()] == ["passed"] * 4
        assert set(checks) == {"enabled", "healthy", "version", "metrics"}


def test_verify_fails_on_a_wrong_version_and_a_disabled_service(spawn: Any) -> None:
    process = spawn(env={"NSL_SERVICES__EVENTS__ENABLED": "false"})
    wrong = run_nsl(
        "verify",
        "configuration",
        "0.0.0-wrong",
        "--url",
        process.url,
        "--format",
        "json",
        data_dir=process.data_dir,
    )
    assert wrong.returncode == 1
    version = outcomes(wrong.stdout)["version"]
    assert version == {
        "name": "version",
        "outcome": "failed",
        "detail": f"expected 0.0.0-wrong, got '{__version__}'",
    }
    disabled = run_nsl(
        "verify",
        "events",
        __version__,
        "--url",
        process.url,
        "--format",
        "json",
        data_dir=process.data_dir,
    )
    assert disabled.returncode == 1
    checks = outcomes(disabled.stdout)
    assert checks["enabled"]["outcome"] == "failed"
    assert "events is not enabled here" in checks["enabled"]["detail"]
    assert checks["healthy"]["outcome"] == "failed"


def test_verify_refuses_an_unknown_service() -> None:
    result = run_nsl("verify", "weather", "1.0", data_dir=Path("/nonexistent"))
    assert result.returncode == 2
    assert "unknown service 'weather'" in result.stderr
