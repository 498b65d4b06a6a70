"""Debian's Prometheus, configured by our generator and loaded with the committed rules, scrapes
a running ``nsl up``: our metrics arrive with the target's labels, the recording rules produce
series, and every rule evaluates without error."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from tests.e2e.conftest import NslProcess, free_port
from tests.polling import eventually

from nsl.ops.monitoring import recording
from nsl.ops.monitoring.scrape import RULE_FILES, static_config
from nsl.ops.monitoring.topology import Component

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "deploy" / "prometheus"


def prometheus_binary() -> str:
    found = shutil.which("prometheus")
    if found:
        return found
    message = "Debian's prometheus is not installed (make monitoring-tools)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: the monitoring tools are mandatory)")
    pytest.skip(message)


class Prometheus:
    """One Prometheus server on a free loopback port, with its own storage and log."""

    def __init__(self, binary: str, config: Path, root: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (root / "prometheus.log").open("wb")
        self.proc = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={root / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.log.close()


@pytest.fixture
def prometheus(spawn: Any, tmp_path: Path) -> Iterator[tuple[Prometheus, NslProcess]]:
    binary = prometheus_binary()
    nsl: NslProcess = spawn()
    target = Component("gateway", f"127.0.0.1:{nsl.port}")
    rule_files = [str(RULES / path) for path in RULE_FILES]
    config = static_config([target], interval="1s", rule_files=rule_files, alertmanager=None)
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    server = Prometheus(binary, path, tmp_path)
    try:
        yield server, nsl
    finally:
        server.stop()


async def query(http: httpx.AsyncClient, expr: str) -> list[dict[str, Any]]:
    response = await http.get("/api/v1/query", params={"query": expr})
    if response.status_code != 200:
        return []
    result: list[dict[str, Any]] = response.json()["data"]["result"]
    return result


async def test_prometheus_scrapes_nsl_and_evaluates_our_rules(
    prometheus: tuple[Prometheus, NslProcess],
) -> None:
    server, nsl = prometheus
    instance = f"127.0.0.1:{nsl.port}"
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=5) as http,
        httpx.AsyncClient(base_url=nsl.url, timeout=5) as api,
    ):

        async def ready() -> bool:
            assert server.proc.poll() is None, server.output()
            try:
                return (await http.get("/-/ready")).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(ready, within=30, interval=0.2)

        async def scraped() -> bool:
            found = await query(http, "nsl_uptime_seconds")
            return any(r["metric"].get("instance") == instance for r in found)

        await eventually(scraped, within=30, interval=0.2)
        (uptime,) = await query(http, "nsl_uptime_seconds")
        assert {k: uptime["metric"][k] for k in ("job", "instance", "component")} == {
            "job": "nsl",
            "instance": instance,
            "component": "gateway",
        }
        assert float(uptime["value"][1]) > 0

        async def requests_counted() -> bool:
            assert (await api.get("/api/info")).status_code == 200
            found = await query(http, 'nsl_http_requests_total{route="/api/info",status="200"}')
            return any(r["metric"]["instance"] == instance for r in found)

        await eventually(requests_counted, within=30, interval=0.5)

        async def recorded() -> bool:
            await api.get("/api/info")
            found = await query(http, f'{recording.REQUESTS}{{component="gateway"}}')
            return bool(found) and float(found[0]["value"][1]) > 0

        await eventually(recorded, within=30, interval=0.5)

        expected = {
            g["name"] for f in RULE_FILES for g in yaml.safe_load((RULES / f).read_text())["groups"]
        }

        async def every_rule_evaluated() -> bool:
            groups = (await http.get("/api/v1/rules")).json()["data"]["groups"]
            if {g["name"] for g in groups} != expected:
                return False
            healths = {r["health"] for g in groups for r in g["rules"]}
            assert "err" not in healths, [
                (r["name"], r.get("lastError"))
                for g in groups
                for r in g["rules"]
                if r["health"] == "err"
            ]
            return healths == {"ok"}

        await eventually(every_rule_evaluated, within=30, interval=0.5)
        assert {"nsl-availability", "nsl-http-recording", "nsl-service-events"} <= expected

        alerts = await query(http, 'ALERTS{alertname="NslTargetDown"}')
        assert alerts == []
