"""The Redis password rotation steps ``nsl credentials rotate`` prints, run against a real Redis.

A private ``redis-server`` starts with the generated password; the printed commands are run as
printed (through a shell that loads the env file): both passwords work in between, then only
the new one.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.e2e.conftest import free_port
from tests.polling import eventually

from nsl.ops import credentials, envfile

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None or shutil.which("redis-cli") is None,
    reason="needs Debian's redis-server and redis-cli",
)


def ping(port: int, password: str) -> bool:
    done = subprocess.run(
        ["redis-cli", "-p", str(port), "--user", "default", "ping"],
        env={"REDISCLI_AUTH": password, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=10,
    )
    return done.stdout.strip() == "PONG"


@pytest.fixture
def env_file(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    port = free_port()
    path = tmp_path / ".env.production"
    credentials.generate(
        path, datetime.now(UTC), force=False, endpoints=credentials.Endpoints(redis_port=port)
    )
    password = envfile.read(path).get("REDIS_PASSWORD") or ""
    conf = tmp_path / "redis.conf"
    conf.write_text(f'port {port}\nbind 127.0.0.1\nsave ""\nrequirepass {password}\n')
    conf.chmod(0o600)
    server = subprocess.Popen(
        ["redis-server", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield path, port
    finally:
        server.terminate()
        server.wait(timeout=10)


async def test_printed_redis_steps_give_an_overlap_then_only_the_new_password(
    env_file: tuple[Path, int],
) -> None:
    path, port = env_file
    old = envfile.read(path).get("REDIS_PASSWORD") or ""
    await eventually(lambda: ping(port, old), within=10)

    steps = credentials.rotate(path, "redis_password", datetime.now(UTC)).next_steps
    new = envfile.read(path).get("REDIS_PASSWORD") or ""
    load = f"set -a; . {path}; set +a"
    assert load in steps
    add, remove = [line.strip() for line in steps.splitlines() if "redis-cli" in line]

    def run(command: str) -> str:
        done = subprocess.run(
            ["bash", "-c", f"{load}; {command.removeprefix('3. ')}"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert run(add).strip() == "OK"
    assert ping(port, old) and ping(port, new)  # processes not yet rolled keep working
    assert run(remove).strip() == "OK"
    assert ping(port, new) and not ping(port, old)
