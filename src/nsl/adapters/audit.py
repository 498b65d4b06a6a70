"""The hash-chained audit log in the database, appended with group commit.

``record`` queues the entry and waits: one writer task takes everything queued, locks the head
row, chains the entries (``entry_hash = SHA-256(prev_hash ‖ canonical JSON of the entry)``),
writes them and the new head in one transaction, then wakes every waiter. Many concurrent
operations therefore cost one transaction, and none returns before its entry is durable.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Update, func, insert, select, update
from sqlalchemy.engine import Connection

from nsl.adapters.models import AuditHeadRow, AuditRow
from nsl.core.audit import AuditEntry
from nsl.core.clock import Clock
from nsl.core.metrics import Metrics
from nsl.core.ports import Database

log = logging.getLogger(__name__)

GENESIS = "0" * 64
HEAD_ID = 1
MAX_BATCH = 500


HASHED_FIELDS = (
    "seq",
    "recorded_at",
    "actor",
    "service",
    "action",
    "target",
    "outcome",
    "data_hash",
    "details",
)


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 of the previous hash and the entry's canonical JSON (sorted keys, ISO time)."""
    body = {name: fields[name] for name in HASHED_FIELDS}
    body["recorded_at"] = body["recorded_at"].isoformat()
    canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev_hash.encode() + canonical).hexdigest()


def row_hash(prev_hash: str, row: AuditRow) -> str:
    return chain_hash(prev_hash, {name: getattr(row, name) for name in HASHED_FIELDS})


class SqlAuditLog:
    """``AuditTrail`` on the platform database."""

    def __init__(self, database: Database, clock: Clock, metrics: Metrics) -> None:
        self._database = database
        self._clock = clock
        self._metrics = metrics
        self._queue: list[tuple[AuditEntry, asyncio.Future[None]]] = []
        self._wakeup: asyncio.Event | None = None
        self._writer: asyncio.Task[None] | None = None
        self._head: Head | None = None  # the head this process last committed

    async def record(self, entry: AuditEntry) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._queue.append((entry, done))
        self._ensure_writer(loop)
        assert self._wakeup is not None
        self._wakeup.set()
        await done

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None
        for _, done in self._queue:
            if not done.done():
                done.set_exception(
                    RuntimeError("the audit log closed before the entry was written")
                )
        self._queue.clear()

    def _ensure_writer(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._writer is None or self._writer.done() or self._writer.get_loop() is not loop:
            self._wakeup = asyncio.Event()
            self._writer = loop.create_task(self._write_forever(), name="audit-writer")

    async def _write_forever(self) -> None:
        assert self._wakeup is not None
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                await self._write(batch)

    async def _write(self, batch: list[tuple[AuditEntry, asyncio.Future[None]]]) -> None:
        entries = [entry for entry, _ in batch]
        try:
            head = await self._database.run_in_transaction(lambda c: self._append(c, entries))
        except Exception as exc:  # noqa: BLE001 - handed to every waiter, none is told it worked
            self._head = None
            log.error("audit append of %d entries failed: %s", len(batch), type(exc).__name__)
            self._metrics.audit_failures.inc(len(batch))
            for _, done in batch:
                if not done.done():
                    done.set_exception(exc)
            return
        self._head = head
        self._metrics.audit_entries.inc(len(batch))
        for _, done in batch:
            if not done.done():
                done.set_result(None)

    def _append(self, conn: Connection, entries: list[AuditEntry]) -> Head:
        """Chain and insert ``entries``; the head row is the lock. The head this process wrote
        last is tried first with a conditional update (one statement fewer); when another
        process appended since, the head is read under lock and the chain computed again."""
        if self._head is not None:
            rows, head = self._chain(self._head, entries)
            if conn.execute(_move_head(self._head, head)).rowcount == 1:
                conn.execute(insert(AuditRow), rows)
                return head
        found = conn.execute(
            select(AuditHeadRow.seq, AuditHeadRow.entry_hash)
            .where(AuditHeadRow.id == HEAD_ID)
            .with_for_update()
        ).one_or_none()
        if found is None:  # a database created without the migration's head row
            conn.execute(insert(AuditHeadRow).values(id=HEAD_ID, seq=0, entry_hash=GENESIS))
            current = Head(0, GENESIS)
        else:
            current = Head(found[0], found[1])
        rows, head = self._chain(current, entries)
        conn.execute(_move_head(current, head))
        conn.execute(insert(AuditRow), rows)
        return head

    def _chain(self, head: Head, entries: list[AuditEntry]) -> tuple[list[dict[str, Any]], Head]:
        now = self._clock.now()
        seq, previous = head
        rows: list[dict[str, Any]] = []
        for entry in entries:
            seq += 1
            row = {
                "seq": seq,
                "recorded_at": now,
                "actor": entry.actor,
                "service": entry.service,
                "action": entry.action,
                "target": entry.target,
                "outcome": entry.outcome,
                "data_hash": entry.data_hash,
                "details": dict(entry.details),
                "prev_hash": previous,
            }
            row["entry_hash"] = previous = chain_hash(previous, row)
            rows.append(row)
        return rows, Head(seq, previous)


class Head(NamedTuple):
    seq: int
    entry_hash: str


def _move_head(old: Head, new: Head) -> Update:
    return (
        update(AuditHeadRow)
        .where(
            AuditHeadRow.id == HEAD_ID,
            AuditHeadRow.seq == old.seq,
            AuditHeadRow.entry_hash == old.entry_hash,
        )
        .values(seq=new.seq, entry_hash=new.entry_hash)
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    problem: str = ""
    first_bad_seq: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "problem": self.problem,
            "first_bad_seq": self.first_bad_seq,
        }


async def verify_chain(database: Database, batch: int = 5000) -> ChainReport:
    """Walk the whole log: contiguous sequence, every hash recomputed, head matches the end."""
    previous, expected_seq, count = GENESIS, 1, 0
    async with database.session() as session:
        head = await session.get(AuditHeadRow, HEAD_ID)
    head_seq, head_hash = (head.seq, head.entry_hash) if head else (0, GENESIS)

    def bad(seq: int, problem: str) -> ChainReport:
        return ChainReport(False, count, head_seq, head_hash, problem, seq)

    while True:
        async with database.session() as session:
            rows = list(
                await session.scalars(
                    select(AuditRow)
                    .where(AuditRow.seq >= expected_seq)
                    .order_by(AuditRow.seq)
                    .limit(batch)
                )
            )
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                return bad(expected_seq, f"entry {expected_seq} is missing (next is {row.seq})")
            if row.prev_hash != previous:
                return bad(row.seq, f"entry {row.seq} does not link to entry {row.seq - 1}")
            if row_hash(previous, row) != row.entry_hash:
                return bad(row.seq, f"entry {row.seq} was changed after it was written")
            previous, expected_seq, count = row.entry_hash, expected_seq + 1, count + 1
    if count != head_seq or previous != head_hash:
        return bad(count + 1, f"the log ends at entry {count} but its head says {head_seq}")
    return ChainReport(True, count, head_seq, head_hash)


@dataclass(frozen=True)
class AuditQuery:
    service: str | None = None
    actor: str | None = None
    action: str | None = None
    outcome: str | None = None
    target_prefix: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def query_entries(
    database: Database, query: AuditQuery, offset: int, limit: int
) -> tuple[int, list[AuditRow]]:
    """Matching entries, newest first, and how many match in all."""
    conditions = []
    for column, value in (
        (AuditRow.service, query.service),
        (AuditRow.actor, query.actor),
        (AuditRow.action, query.action),
        (AuditRow.outcome, query.outcome),
    ):
        if value is not None:
            conditions.append(column == value)
    if query.target_prefix:
        escaped = query.target_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(AuditRow.target.like(escaped + "%", escape="\\"))
    if query.since is not None:
        conditions.append(AuditRow.recorded_at >= query.since)
    if query.until is not None:
        conditions.append(AuditRow.recorded_at < query.until)
    async with database.session() as session:
        total = await session.scalar(select(func.count()).select_from(AuditRow).where(*conditions))
        rows = await session.scalars(
            select(AuditRow)
            .where(*conditions)
            .order_by(AuditRow.seq.desc())
            .offset(offset)
            .limit(limit)
        )
        return int(total or 0), list(rows)
