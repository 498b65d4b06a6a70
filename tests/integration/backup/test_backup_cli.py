"""``nsl backup ...`` and ``nsl restore`` through the real command line (typer's runner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.integration.backup.helpers import MASTER, execute, migrate, scalar
from typer.testing import CliRunner

from nsl.cli.main import app

runner = CliRunner()


@pytest.fixture
async def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    targets = [{"name": "local", "path": str(tmp_path / "local")}]
    targets.append({"name": "offsite", "path": str(tmp_path / "offsite")})
    monkeypatch.setenv("NSL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NSL_MASTER_KEY", MASTER)
    monkeypatch.setenv("NSL_ENV", "test")
    monkeypatch.setenv("NSL_BACKUP__TARGETS", json.dumps(targets))
    monkeypatch.delenv("NSL_DATABASE__URL", raising=False)
    from tests.integration.backup.helpers import backup_settings

    await migrate(backup_settings(tmp_path))
    return tmp_path / "data"


def invoke(*args: str) -> tuple[int, dict[str, object], str]:
    result = runner.invoke(app, list(args))
    out = result.stdout.strip()
    document = json.loads(out.splitlines()[0]) if out.startswith("{") else {}
    return result.exit_code, document, result.stderr if result.stderr_bytes else ""


def test_backup_list_verify_restore(data_dir: Path, tmp_path: Path) -> None:
    code, full, _ = invoke("backup", "full", "--json")
    assert code == 0 and full["kind"] == "database-full" and full["status"] == "complete"
    assert "wrapped_key" not in full
    execute(data_dir / "nsl.db", "CREATE TABLE notes (x)", "INSERT INTO notes VALUES ('cli')")
    code, incremental, _ = invoke("backup", "incremental", "--json")
    assert code == 0 and incremental["parent"] == full["id"]
    code, config, _ = invoke("backup", "config", "--json")
    assert code == 0 and config["kind"] == "config"

    code, listing, _ = invoke("backup", "list", "--json")
    assert [b["id"] for b in listing["backups"]] == [full["id"], incremental["id"], config["id"]]
    code, verified, _ = invoke("backup", "verify", "--all", "--json")
    assert code == 0 and verified["ok"] and len(verified["results"]) == 3
    checked = [r["checked"] for r in verified["results"]]
    assert checked == ["integrity", "scratch-restore", "scratch-restore"]  # chain restored once

    target = tmp_path / "restored.db"
    code, restored, _ = invoke("restore", "--backup", "latest", "--target", str(target), "--json")
    assert code == 0 and restored["backups"] == [full["id"], incremental["id"]]
    assert scalar(target, "SELECT x FROM notes") == "cli"

    code, _, error = invoke("restore", "--backup", "latest", "--target", str(target))
    assert code == 1 and error.startswith("backup.target_not_empty")
    assert len(error.strip().splitlines()) == 1

    code, _, error = invoke("restore", "--backup", "latest", "--to-time", "yesterday-ish")
    assert code == 2 and "--to-time" in error


def test_failing_target_exits_non_zero(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "offsite").write_text("not a directory")
    code, manifest, error = invoke("backup", "full", "--json")
    assert code == 1
    assert manifest["status"] == "failed" and manifest["targets"] == ["local"]
    assert "offsite" in manifest["failed_targets"] and error.startswith("backup.target_failed")


def test_recovery_key_ceremony_and_keys_backup(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "ceremony"
    args = ("backup", "recovery-key", "init", "--shares", "3", "--threshold", "2")
    code, ceremony, _ = invoke(*args, "--out", str(out), "--json")
    assert code == 0 and len(ceremony["shares"]) == 3
    monkeypatch.setenv("NSL_BACKUP__RECOVERY_PUBLIC_KEY_FILE", ceremony["public_file"])
    code, keys, _ = invoke("backup", "keys", "--json")
    assert code == 0 and keys["kind"] == "keys" and keys["key_id"] == ceremony["key_id"]
    shares = [a for path in ceremony["shares"][:2] for a in ("--share", path)]
    code, verified, _ = invoke("backup", "verify", "--backup", keys["id"], *shares, "--json")
    assert code == 0 and verified["results"][0]["checked"] == "decrypted"
    code, _, error = invoke(*args, "--out", str(out))
    assert code == 2 and "share files" in error
