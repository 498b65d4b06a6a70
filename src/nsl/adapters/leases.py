"""Named leases in ``core_leases`` (any database) and PostgreSQL advisory locks."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.adapters.models import LeaseRow
from nsl.adapters.sqlutil import insert_if_absent
from nsl.core.clock import Clock
from nsl.core.ports import Database


class SqlLeases:
    """Leases with expiry on the relational store.

    A lease is taken by a conditional update that succeeds only for the current holder
    (renewal) or once the lease has expired (takeover), else by inserting its row if absent.
    Both statements are atomic on SQLite and PostgreSQL, so concurrent callers get one winner.
    """

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def try_acquire(self, name: str, holder: str, ttl_s: float) -> bool:
        """Take, renew or take over ``name`` for ``ttl_s`` seconds; whether ``holder`` has it."""
        if ttl_s <= 0:
            raise ValueError("a lease TTL must be positive")
        now = self._clock.now()
        expires = now + timedelta(seconds=ttl_s)
        async with self._db.session() as session:
            connection = await session.connection()
            taken = await connection.execute(
                update(LeaseRow)
                .where(LeaseRow.name == name)
                .where(or_(LeaseRow.holder == holder, LeaseRow.expires_at <= now))
                .values(holder=holder, expires_at=expires)
            )
        if taken.rowcount == 1:
            return True
        async with self._db.session() as session:
            return await insert_if_absent(
                session, self._db.dialect, LeaseRow, name=name, holder=holder, expires_at=expires
            )

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up, if ``holder`` has it."""
        async with self._db.session() as session:
            await session.execute(
                delete(LeaseRow).where(LeaseRow.name == name, LeaseRow.holder == holder)
            )

    async def holder(self, name: str) -> str | None:
        """Who holds ``name`` now (``None`` when free or expired)."""
        async with self._db.session() as session:
            row = await session.scalar(select(LeaseRow).where(LeaseRow.name == name))
        if row is None or row.expires_at <= self._clock.now():
            return None
        return row.holder


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (the same in every process and release)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@asynccontextmanager
async def advisory_lock(session: AsyncSession, name: str) -> AsyncIterator[bool]:
    """Try a PostgreSQL transaction-level advisory lock; yields whether it was obtained.

    The lock is held until the session's transaction ends (not the ``with`` block).
    """
    dialect = session.get_bind().dialect.name
    if dialect != "postgresql":
        raise ValueError(f"advisory locks need PostgreSQL, not {dialect}; use SqlLeases")
    acquired = await session.scalar(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": lock_key(name)}
    )
    yield bool(acquired)
