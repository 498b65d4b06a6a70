"""``nsl up`` on the embedded defaults: serves, bootstraps an admin, survives SIGKILL."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.conftest import run_nsl

from nsl.client import Client, Unauthorized


def test_fresh_start_bootstraps_admin_key_once(spawn: Any, tmp_path: Path) -> None:
    process = spawn()
    key_file = process.data_dir / "admin-api-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert key in process.output()  # printed once on the console
    with Client(process.url, api_key=key) as client:
        assert client.info()["service"] == "Neo Service Layer API"
        assert client.ready() is True
        assert client.me()["roles"] == ["admin"]
        families = [x for x in client.metrics_text().splitlines() if x.startswith("# HELP")]
        assert len(families) >= 10
    with Client(process.url) as anonymous, pytest.raises(Unauthorized):
        anonymous.get_config("anything")


def test_write_acknowledged_then_sigkill_loses_nothing(spawn: Any) -> None:
    process = spawn()
    key = (process.data_dir / "admin-api-key").read_text().strip()
    with Client(process.url, api_key=key) as client:
        for i in range(20):
            client.set_config(f"durable.k{i}", {"n": i})
        client.set_config("durable.db_password", "hunter2-very-secret")
    process.kill()
    restarted = spawn(data_dir=process.data_dir)
    with Client(restarted.url, api_key=key) as client:
        assert [client.get_config(f"durable.k{i}")["value"]["n"] for i in range(20)] == list(
            range(20)
        )
        secret = client.get_config("durable.db_password")
        assert secret["value"] == "********"
        assert (
            client.get_config("durable.db_password", reveal=True)["value"] == "hunter2-very-secret"
        )
    raw = (process.data_dir / "nsl.db").read_bytes()
    for suffix in ("-wal",):
        wal = process.data_dir / f"nsl.db{suffix}"
        if wal.exists():
            raw += wal.read_bytes()
    assert b"hunter2-very-secret" not in raw
    assert "hunter2" not in restarted.output()


def test_health_command_exit_codes(spawn: Any, tmp_path: Path) -> None:
    process = spawn()
    ok = run_nsl("health", "--url", process.url, data_dir=process.data_dir)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    down = run_nsl("health", "--url", "http://127.0.0.1:9", data_dir=process.data_dir)
    assert down.returncode == 1


def test_cli_key_lifecycle(spawn: Any, tmp_path: Path) -> None:
    data_dir = tmp_path / "cli"
    created = run_nsl(
        "auth", "create-key", "--role", "operator", "--owner", "ops", data_dir=data_dir
    )
    assert created.returncode == 0, created.stderr
    key = next(
        line.strip() for line in created.stdout.splitlines() if line.strip().startswith("nsl_")
    )
    key_id = created.stdout.split("key id ")[1].split()[0]
    # Without Redis, another process's revocation is seen once the lookup cache expires: 0 here.
    process = spawn(data_dir=data_dir, env={"NSL_AUTH__API_KEY_CACHE_S": "0"})
    with Client(process.url, api_key=key) as client:
        assert client.me()["roles"] == ["operator"]
    revoked = run_nsl("auth", "revoke-key", key_id, data_dir=data_dir)
    assert revoked.returncode == 0, revoked.stderr
    with Client(process.url, api_key=key) as client, pytest.raises(Unauthorized):
        client.me()


def test_config_show_masks_secrets(tmp_path: Path) -> None:
    result = run_nsl(
        "config",
        "show",
        data_dir=tmp_path,
        env={
            "NSL_DATABASE__URL": "postgresql://u:topsecretpw@db/x",
            "NSL_AUTH__JWT_SECRET": "s" * 70,
        },
    )
    assert result.returncode == 0, result.stderr
    assert "topsecretpw" not in result.stdout
    assert "s" * 70 not in result.stdout
    assert "********" in result.stdout


def test_production_refuses_placeholder_secret(tmp_path: Path) -> None:
    result = run_nsl(
        "up",
        data_dir=tmp_path,
        env={"NSL_ENV": "production", "NSL_AUTH__JWT_SECRET": "change-me"},
    )
    assert result.returncode == 2
    assert "jwt_secret" in result.stdout + result.stderr


def test_serve_one_service(spawn: Any, tmp_path: Path) -> None:
    process = spawn(args=["serve", "--only", "configuration"])
    with Client(process.url) as client:
        names = [s["name"] for s in client.info()["services"]]
    assert names == ["auth", "configuration"]
