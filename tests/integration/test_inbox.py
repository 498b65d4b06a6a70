"""Idempotent consumers run a handler once per event, and again only if it failed.

Runs on SQLite and PostgreSQL (the ``database`` fixture).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.adapters.inbox import idempotent, idempotent_in_session, purge_processed
from nsl.adapters.models import InboxRow, LeaseRow
from nsl.core.clock import ManualClock
from nsl.core.ids import new_id
from nsl.core.metrics import Metrics
from nsl.core.ports import Event


def an_event(topic: str = "user.joined") -> Event:
    return Event(new_id(), topic, {"user": "u1"}, datetime.now(UTC))


async def count(database: Any, model: Any) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_duplicate_is_skipped_and_counted(database: Any, metrics: Metrics) -> None:
    runs: list[str] = []

    async def handler(event: Event) -> None:
        runs.append(event.id)

    handle = idempotent(database, "mailer", handler, metrics)
    event = an_event()
    await handle(event)
    await handle(event)
    assert runs == [event.id]
    labels = {"topic": "user.joined", "consumer": "mailer", "outcome": "duplicate"}
    assert metrics.registry.get_sample_value("nsl_bus_consumed_total", labels) == 1


async def test_consumers_deduplicate_independently(database: Any) -> None:
    runs: list[str] = []

    async def handler(event: Event) -> None:
        runs.append(event.id)

    event = an_event()
    await idempotent(database, "mailer", handler)(event)
    await idempotent(database, "billing", handler)(event)
    assert runs == [event.id, event.id]


async def test_a_failed_handler_runs_again_on_redelivery(database: Any) -> None:
    runs: list[str] = []

    async def handler(event: Event) -> None:
        runs.append(event.id)
        if len(runs) == 1:
            raise RuntimeError("transient")

    handle = idempotent(database, "mailer", handler)
    event = an_event()
    with pytest.raises(RuntimeError):
        await handle(event)
    await handle(event)
    await handle(event)
    assert runs == [event.id, event.id]


async def test_session_handler_writes_commit_or_roll_back_with_the_inbox_row(
    database: Any,
) -> None:
    fail = True

    async def handler(session: AsyncSession, event: Event) -> None:
        until = datetime.now(UTC) + timedelta(hours=1)
        await session.execute(insert(LeaseRow).values(name=event.id, holder="h", expires_at=until))
        if fail:
            raise RuntimeError("after writing")

    handle = idempotent_in_session(database, "projector", handler)
    event = an_event()
    with pytest.raises(RuntimeError):
        await handle(event)
    assert (await count(database, LeaseRow), await count(database, InboxRow)) == (0, 0)
    fail = False
    await handle(event)
    await handle(event)
    assert (await count(database, LeaseRow), await count(database, InboxRow)) == (1, 1)


async def test_concurrent_deliveries_of_one_event_run_the_handler_once(database: Any) -> None:
    runs: list[str] = []

    async def handler(event: Event) -> None:
        runs.append(event.id)
        await asyncio.sleep(0)  # let the other delivery reach the inbox meanwhile

    handle = idempotent(database, "mailer", handler)
    event = an_event()
    await asyncio.gather(*(handle(event) for _ in range(5)))
    assert runs == [event.id]


async def test_old_inbox_rows_are_purged(database: Any) -> None:
    clock = ManualClock()

    async def handler(event: Event) -> None:
        return None

    handle = idempotent(database, "mailer", handler, clock=clock)
    await handle(an_event())
    clock.advance(86400)
    await handle(an_event())
    assert await purge_processed(database, clock.now() - timedelta(hours=1)) == 1
    assert await count(database, InboxRow) == 1
