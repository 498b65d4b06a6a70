"""Values at rest: envelope-encrypted (checked with `cryptography` against the stored row), bound
to their secret and version, never in the database file or the logs in the clear, and readable
by a new service instance on the same database after a restart."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from secrets_harness import Harness, make_settings, principal, start_service, stop_service
from sqlalchemy import text

from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics
from nsl.services.secrets.errors import ValueUnreadable

VALUE = "Pa55-word-that-must-never-leak-7f3c9e"
ALICE = principal("alice", "user")


async def stored_version(harness: Harness, version: int) -> Any:
    rows = await harness.rows(
        "SELECT s.id, v.ciphertext, v.wrapped_key, v.wrapping_key_ref FROM secrets_versions v "
        "JOIN secrets_secrets s ON s.id = v.secret_id WHERE v.version = :v",
        v=version,
    )
    return rows[0]


async def test_the_stored_row_opens_with_aes_gcm_under_the_unwrapped_data_key(
    harness: Harness,
) -> None:
    await harness.put("app/db", {"password": VALUE})
    secret_id, ciphertext, wrapped, key_ref = await stored_version(harness, 1)
    aad = f"secrets|{secret_id}|1".encode()
    data_key = await harness.ctx.enclave.unwrap_data_key(key_ref, bytes(wrapped), aad)
    assert len(data_key) == 32
    blob = bytes(ciphertext)
    opened = AESGCM(data_key).decrypt(blob[:12], blob[12:], aad)
    assert opened == b'{"password":"' + VALUE.encode() + b'"}'
    assert VALUE.encode() not in blob and data_key not in bytes(wrapped)


async def test_a_value_moved_to_another_version_does_not_open(harness: Harness) -> None:
    await harness.put("app/db", {"password": VALUE})
    await harness.put("app/db", {"password": "second"})
    _, ciphertext, wrapped, _ = await stored_version(harness, 1)
    async with harness.database.session() as session:
        await session.execute(
            text("UPDATE secrets_versions SET ciphertext = :c, wrapped_key = :w WHERE version = 2"),
            {"c": bytes(ciphertext), "w": bytes(wrapped)},
        )
    with pytest.raises(ValueUnreadable):
        await harness.service.read("app/db", principal=ALICE)
    response = await harness.get("app/db")
    assert response.status_code == 500 and response.json()["code"] == "secrets.value_unreadable"
    assert VALUE not in response.text


async def test_no_value_appears_in_the_database_file_or_the_logs(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    if harness.database.dialect != "sqlite":
        pytest.skip("scans the SQLite file")
    caplog.set_level(logging.DEBUG)
    marker = "visible-marker-in-custom-metadata"
    await harness.put("app/db", {"password": VALUE, "user": "svc"})
    await harness.put("app/db", {"password": VALUE + "-2"})
    await harness.request("PUT", "/app/db/metadata", json={"custom_metadata": {"m": marker}})
    assert (await harness.get("app/db")).json()["data"]["password"] == VALUE + "-2"
    await harness.get("app/db", who="bob")
    await harness.put("app/db", {"password": VALUE, "n": 2**70})  # refused input
    await harness.service.run_task_once("rotation")
    path = Path(harness.database.url.split("///", 1)[1])
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert marker.encode() in raw  # the scan sees what is stored in the clear...
    for needle in (VALUE.encode(), VALUE.encode().hex().encode(), b"svc"):
        assert needle not in raw  # ...and no secret value
    logged = caplog.text + "".join(repr(r.args) for r in caplog.records)
    assert caplog.records and VALUE not in logged


async def test_destroyed_ciphertext_is_gone_from_the_database_file(harness: Harness) -> None:
    if harness.database.dialect != "sqlite":
        pytest.skip("scans the SQLite file")
    await harness.put("app/db", {"password": VALUE})
    await harness.put("app/db", {"password": "next"})
    _, ciphertext, wrapped, _ = await stored_version(harness, 1)
    await harness.request("POST", "/app/db/destroy", json={"versions": [1]})
    path = Path(harness.database.url.split("///", 1)[1])
    with sqlite3.connect(path) as conn:  # move every WAL frame into the file, empty the WAL
        assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert bytes(ciphertext) not in raw and bytes(wrapped) not in raw


async def test_a_new_instance_on_the_same_database_reads_the_data(
    harness: Harness, tmp_path: Path, clock: ManualClock, metrics: Metrics
) -> None:
    await harness.put("app/db", {"password": VALUE})
    key_ref = harness.service.key_ref
    await stop_service(harness.service)
    later = await start_service(make_settings(tmp_path), harness.database, clock, Metrics("t", "t"))
    try:
        assert later.key_ref == key_ref
        # its enclave has not loaded the wrapping key yet: writing must not wait on itself
        assert (await later.write("app/db", {"n": 2}, principal=ALICE))["version"] == 2
        read = await later.read("app/db", principal=ALICE, version=1)
        assert read["data"] == {"password": VALUE} and read["version"] == 1
        assert (await later.read("app/db", principal=ALICE))["data"] == {"n": 2}
    finally:
        await stop_service(later)
    harness.service = await start_service(make_settings(tmp_path), harness.database, clock, metrics)


async def test_instances_starting_together_agree_on_one_wrapping_key(
    database: Any, tmp_path: Path, clock: ManualClock
) -> None:
    settings = make_settings(tmp_path)
    services = await asyncio.gather(
        *(start_service(settings, database, clock, Metrics("t", str(i))) for i in range(4))
    )
    try:
        assert len({s.key_ref for s in services}) == 1
        async with database.session() as session:
            live = await session.execute(
                text(
                    "SELECT id FROM enclave_items WHERE purpose = 'secrets' "
                    "AND destroyed_at IS NULL"
                )
            )
            assert [r[0] for r in live] == [services[0].key_ref]  # the losers' keys destroyed
        written = await services[0].write("app/db", {"k": VALUE}, principal=ALICE)
        for other in services[1:]:
            read = await other.read("app/db", principal=ALICE)
            assert read["version"] == written["version"] and read["data"] == {"k": VALUE}
    finally:
        for service in services:
            await stop_service(service)
