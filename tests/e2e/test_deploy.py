"""``nsl deploy`` on this machine with PostgreSQL, Redis and RabbitMQ: phases one by one, smoke,
a blue/green switch and a rollback under load with no failed request, flags, a failed phase."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import RABBITMQ_URL, REDIS_URL
from tests.e2e.conftest import NSL, free_port

from nsl.core import catalogue

ADMIN = "nsl_e2e_deploy_admin_" + "d" * 40
LOOPBACK_READS = 1000
pytestmark = pytest.mark.usefixtures("rabbitmq_url")


class Operator:
    """Runs ``nsl deploy`` commands with one environment, as an operator's shell would."""

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        unique = uuid.uuid4().hex[:8]
        self.port = free_port()
        self.data_dir = tmp_path / "var"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("NSL_")},
            "NSL_ENV": "test",
            "NSL_DATA_DIR": str(self.data_dir),
            "NSL_DATABASE__URL": database_url.replace("postgresql://", "postgresql+asyncpg://"),
            "NSL_REDIS__URL": REDIS_URL,
            "NSL_REDIS__KEY_PREFIX": f"nsltest:{unique}:",
            "NSL_RABBITMQ__URL": RABBITMQ_URL,
            "NSL_RABBITMQ__EXCHANGE": f"nsl.test.{unique}",
            "NSL_RABBITMQ__QUEUE_PREFIX": f"nsltest.{unique}",
            "NSL_BOOTSTRAP_ADMIN_KEY": ADMIN,
            "NSL_HTTP__PORT": str(self.port),
            "NSL_HTTP__CORS_ORIGINS": '["https://app.example"]',
            "NSL_DEPLOY__BASE_PORT": str(free_port_block()),
            "NSL_CHAINS__DEV__START": "false",
            # the load below comes from many callers (X-Forwarded-For) with one admin key
            "NSL_RATE_LIMIT__TRUST_FORWARDED_FOR": "true",
            "NSL_RATE_LIMIT__PER_PRINCIPAL__READ": "1000000",
            # deploy checks and this test's reads come from 127.0.0.1 (smoke's burst exceeds it)
            "NSL_RATE_LIMIT__PER_IP__READ": str(LOOPBACK_READS),
        }
        self.url = f"http://127.0.0.1:{self.port}"

    def nsl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [NSL, *args], capture_output=True, text=True, env=self.env, timeout=300
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"nsl {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def deploy(self, *args: str, check: bool = True) -> dict[str, Any]:
        result = self.nsl("deploy", *args, "--format", "json", check=check)
        report: dict[str, Any] = json.loads(result.stdout)
        return report

    def status(self) -> dict[str, dict[str, Any]]:
        body = json.loads(self.nsl("deploy", "status", "--format", "json").stdout)
        return {s["name"]: s for s in body["services"]}


def free_port_block() -> int:
    """A base port with room for two colours of every group above it."""
    return 20000 + uuid.uuid4().int % 12000  # below Linux's ephemeral ports (32768 and up)


@pytest.fixture
def operator(tmp_path: Path, fresh_postgres_url: str) -> Iterator[Operator]:
    op = Operator(tmp_path, fresh_postgres_url)
    op.nsl("db", "upgrade")
    yield op
    op.nsl("deploy", "stop", check=False)


class Load:
    """Concurrent authenticated reads through the gateway, counting every outcome."""

    def __init__(self, url: str, path: str, workers: int = 6) -> None:
        self.url, self.path, self.workers = url, path, workers
        self.outcomes: Counter[str] = Counter()
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(workers)]

    def _run(self, worker: int) -> None:
        sent = 0
        with httpx.Client(base_url=self.url, timeout=30, trust_env=False) as client:
            while not self._stop.is_set():
                sent += 1
                caller = f"10.{worker}.{sent // 250 % 250}.{sent % 250 + 1}"
                try:
                    response = client.get(
                        self.path, headers={"X-API-Key": ADMIN, "X-Forwarded-For": caller}
                    )
                    self.outcomes[str(response.status_code)] += 1
                    if response.status_code != 200:
                        self.failures.append(f"{response.status_code} {response.text[:200]}")
                except httpx.HTTPError as exc:
                    self.outcomes[type(exc).__name__] += 1
                    self.failures.append(repr(exc))

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


def services_of(phase: int) -> set[str]:
    return {e.name for e in catalogue.CATALOGUE if e.phase == phase and not e.required}


def broken_executable(tmp_path: Path, fails_for: str) -> str:
    """An ``nsl`` whose processes for ``fails_for`` exit at once (a release that cannot start)."""
    path = tmp_path / f"nsl-broken-{fails_for}"
    path.write_text(
        "#!/bin/sh\n"
        f'case "$*" in *"--only {fails_for} "*)\n'
        f'  echo "{fails_for} cannot start" >&2; exit 3;;\n'
        "esac\n"
        f'exec "{NSL}" "$@"\n'
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.mark.timeout(600)
def test_phased_rollout_gates_each_phase_and_switches_blue_green_under_load(
    operator: Operator, tmp_path: Path
) -> None:
    planned = operator.deploy("plan", "--phase", "1")
    assert {s["target"] for s in planned["steps"] if s["action"] == "start"} == {
        "gateway",
        *(f"{n}:blue" for n in services_of(1)),
    }
    assert operator.deploy("apply", "--phase", "1")["ok"]

    # a phase whose process cannot start is rolled back; the phase before it stays
    broken = broken_executable(tmp_path, "keys")
    failed = operator.deploy("apply", "--phase", "2", "--executable", broken, check=False)
    assert failed["ok"] is False
    assert any(s["action"] == "rollback" for s in failed["steps"])
    status = operator.status()
    assert {status[n]["mode"] for n in services_of(2)} == {"absent"}
    assert {status[n]["mode"] for n in services_of(1)} == {"proxied"}

    for phase in (2, 3, 4):
        report = operator.deploy("apply", "--phase", str(phase))
        assert report["ok"], report
        status = operator.status()
        for name in set().union(*(services_of(p) for p in range(1, phase + 1))):
            assert (status[name]["mode"], status[name]["health"]) == ("proxied", "ok"), name
        for name in set().union(*(services_of(p) for p in range(phase + 1, 5))):
            assert status[name]["mode"] == "absent"

    again = operator.deploy("apply", "--phase", "4")
    assert {s["action"] for s in again["steps"]} <= {"check", "keep"}, again

    # a flag switches one service off and on; the others keep serving
    headers = {"X-API-Key": ADMIN, "X-Forwarded-For": "10.200.0.1"}
    operator.nsl("deploy", "flag", "secrets", "off")
    off = httpx.get(operator.url + "/api/v1/secrets", headers=headers, timeout=10)
    assert off.status_code == 503 and off.json()["code"] == "service.disabled"
    assert httpx.get(operator.url + "/api/v1/keys", headers=headers, timeout=10).status_code == 200
    assert operator.status()["secrets"]["enabled"] is False
    operator.nsl("deploy", "flag", "secrets", "on")
    assert (
        httpx.get(operator.url + "/api/v1/secrets", headers=headers, timeout=10).status_code == 200
    )

    # a release that does not start is refused; traffic stays where it was
    refused = operator.deploy("switch", "keys", "--executable", broken, check=False)
    assert refused["ok"] is False
    keys = operator.status()["keys"]
    assert (keys["active"], keys["health"], keys["standby"]) == ("blue", "ok", None)

    with Load(operator.url, "/api/v1/keys") as load:
        switched = operator.deploy("switch", "keys")
        assert operator.status()["keys"]["active"] == "green"
        rolled = operator.deploy("rollback", "keys")
    assert switched["ok"] and rolled["ok"]
    assert load.failures == [], load.outcomes
    assert load.outcomes["200"] > 50
    keys = operator.status()["keys"]
    assert (keys["active"], keys["standby"]) == ("blue", None)

    # last: its burst spends this address's read budget for the rest of the window
    smoke = operator.nsl(
        "smoke",
        operator.url,
        "--api-key",
        ADMIN,
        "--origin",
        "https://app.example",
        "--burst",
        str(LOOPBACK_READS + 10),
        "--format",
        "json",
    )
    assert json.loads(smoke.stdout)["passed"] is True
