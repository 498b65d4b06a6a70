"""``nsl enclave check|attest|rotate-master`` and ``nsl audit verify`` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import run_nsl

from nsl.enclave import attestation
from nsl.enclave.keyring import KEYRING_FILE, read_keyring_file


def test_enclave_check_reports_the_host_and_the_provider(tmp_path: Path) -> None:
    result = run_nsl("enclave", "check", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["configured_provider"] == "software"
    assert report["enclave"] == {
        "provider": "software",
        "status": "ok",
        "detail": report["enclave"]["detail"],
    }
    assert set(report["host"]) >= {"sgx_cpu_flag", "sgx_devices", "sgx_usable"}


def test_attest_prints_a_report_that_verifies(tmp_path: Path) -> None:
    result = run_nsl("enclave", "attest", "--user-data", "c0ffee", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    document = attestation.verify_report(
        printed["report"].encode(), bytes.fromhex(printed["signature"])
    )
    assert document["provider"] == "software" and document["user_data"] == "c0ffee"
    assert run_nsl("enclave", "attest", "--user-data", "zz", data_dir=tmp_path).returncode == 2


def test_rotate_master_then_retire_the_previous_key(tmp_path: Path) -> None:
    assert run_nsl("enclave", "attest", data_dir=tmp_path).returncode == 0  # creates items
    path = tmp_path / KEYRING_FILE
    before = read_keyring_file(path).current_id
    rotated = run_nsl("enclave", "rotate-master", data_dir=tmp_path)
    assert rotated.returncode == 0, rotated.stderr
    report = json.loads(rotated.stdout)
    assert report["rewrapped"] >= 1 and report["remaining_under_previous"] == 0
    assert report["current_master_id"] != before and len(read_keyring_file(path).keys) == 2
    retired = run_nsl(
        "enclave", "rotate-master", "--no-new-key", "--retire-previous", data_dir=tmp_path
    )
    assert retired.returncode == 0 and json.loads(retired.stdout)["retired"] == 1
    assert len(read_keyring_file(path).keys) == 1
    assert run_nsl("enclave", "attest", data_dir=tmp_path).returncode == 0  # still opens


def test_audit_verify_succeeds_on_an_intact_log(tmp_path: Path) -> None:
    result = run_nsl("audit", "verify", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ok"] is True


def test_audit_verify_fails_on_a_changed_entry(tmp_path: Path) -> None:
    import asyncio

    from sqlalchemy import text

    from nsl.adapters.audit import SqlAuditLog
    from nsl.core.audit import AuditEntry
    from nsl.core.clock import SystemClock
    from nsl.core.metrics import Metrics
    from nsl.core.settings import Settings
    from nsl.db.engine import Database, database_url

    assert run_nsl("audit", "verify", data_dir=tmp_path).returncode == 0  # migrates
    settings = Settings(env="test", data_dir=tmp_path)
    database = Database(
        database_url(settings.database, tmp_path), settings.database, Metrics("t", "t")
    )

    async def write_then_tamper() -> None:
        log = SqlAuditLog(database, SystemClock(), Metrics("t", "t"))
        for n in range(5):
            await log.record(AuditEntry("p-1", "keys", "sign", f"key/k/v{n}"))
        await log.close()
        async with database.session() as session:
            await session.execute(text("UPDATE audit_entries SET actor = 'p-2' WHERE seq = 3"))
        await database.dispose()

    asyncio.run(write_then_tamper())
    result = run_nsl("audit", "verify", data_dir=tmp_path)
    assert result.returncode == 1
    assert json.loads(result.stdout)["first_bad_seq"] == 3
