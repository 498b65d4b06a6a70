"""The audit log: concurrent appends form one unbroken chain; any edit or deletion is detected."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from nsl.adapters.audit import SqlAuditLog, verify_chain
from nsl.core.audit import AuditEntry, data_digest
from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics


def entry(n: int, actor: str = "p-1") -> AuditEntry:
    return AuditEntry(
        actor=actor,
        service="keys",
        action="sign",
        target=f"key/k{n}/v1",
        data_hash=data_digest(b"payload-%d" % n),
        details={"n": n},
    )


async def filled(database: Any, count: int) -> SqlAuditLog:
    log = SqlAuditLog(database, ManualClock(), Metrics("test", "test"))
    await asyncio.gather(*(log.record(entry(n)) for n in range(count)))
    return log


async def test_concurrent_appends_form_one_verified_chain(database: Any) -> None:
    first = await filled(database, 150)
    second = SqlAuditLog(database, ManualClock(), Metrics("test", "test"))  # another process
    await asyncio.gather(
        *(first.record(entry(n, "p-a")) for n in range(50)),
        *(second.record(entry(n, "p-b")) for n in range(50)),
    )
    report = await verify_chain(database)
    assert report.ok, report.problem
    assert report.entries == report.head_seq == 250
    async with database.session() as session:
        seqs = [r[0] for r in (await session.execute(text("SELECT seq FROM audit_entries"))).all()]
    assert sorted(seqs) == list(range(1, 251))
    await first.close()
    await second.close()


async def test_a_changed_entry_is_detected(database: Any) -> None:
    await (await filled(database, 20)).close()
    async with database.session() as session:
        await session.execute(text("UPDATE audit_entries SET outcome = 'forged' WHERE seq = 7"))
    report = await verify_chain(database)
    assert not report.ok and report.first_bad_seq == 7 and "changed" in report.problem


async def test_a_deleted_entry_is_detected(database: Any) -> None:
    await (await filled(database, 20)).close()
    async with database.session() as session:
        await session.execute(text("DELETE FROM audit_entries WHERE seq = 12"))
    report = await verify_chain(database)
    assert not report.ok and report.first_bad_seq == 12 and "missing" in report.problem


async def test_deleting_the_newest_entries_is_detected_by_the_head(database: Any) -> None:
    await (await filled(database, 20)).close()
    async with database.session() as session:
        await session.execute(text("DELETE FROM audit_entries WHERE seq > 17"))
    report = await verify_chain(database)
    assert not report.ok and "head says 20" in report.problem


async def test_entries_keep_hashes_of_data_never_the_data(database: Any) -> None:
    await (await filled(database, 3)).close()
    async with database.session() as session:
        rows = (await session.execute(text("SELECT data_hash, details FROM audit_entries"))).all()
    assert all(r[0].startswith("sha256:") for r in rows)
    assert all(b"payload" not in str(r).encode() for r in rows)
