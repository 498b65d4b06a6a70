"""The outbox publishes exactly the committed events, in order, and keeps them while the bus
is down (SQLite and PostgreSQL through the ``database`` fixture, real buses).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from tests.contract.cases import delete_rabbit_objects
from tests.polling import eventually

from nsl.adapters.bus_memory import MemoryBus
from nsl.adapters.bus_rabbitmq import RabbitBus
from nsl.adapters.inbox import idempotent
from nsl.adapters.models import OutboxRow
from nsl.adapters.outbox import OutboxRelay, SqlOutbox
from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics
from nsl.core.ports import Event


class Failed(Exception):
    pass


def backlog(metrics: Metrics) -> float | None:
    return metrics.registry.get_sample_value("nsl_outbox_backlog_events")


async def rows(database: Any) -> list[OutboxRow]:
    async with database.session() as session:
        query = select(OutboxRow).order_by(OutboxRow.created_at, OutboxRow.id)
        return list((await session.scalars(query)).all())


@pytest.fixture
async def memory_bus(metrics: Metrics) -> AsyncIterator[MemoryBus]:
    bus = MemoryBus(metrics)
    yield bus
    await bus.close()


async def test_committed_events_are_relayed_in_order(
    database: Any, memory_bus: MemoryBus, metrics: Metrics
) -> None:
    outbox = SqlOutbox(ManualClock())  # every event at the same instant: order must still hold
    got: list[Event] = []
    await memory_bus.subscribe("audit", "#", _append(got))
    async with database.session() as session:
        first = [await outbox.add(session, f"order.{i}", {"i": i}) for i in range(5)]
    async with database.session() as session:
        second = [await outbox.add(session, f"order.{i}", {"i": i}) for i in range(5, 8)]
    relay = OutboxRelay(database, memory_bus, metrics, batch_size=3)
    assert [await relay.relay_once() for _ in range(4)] == [3, 3, 2, 0]
    await eventually(lambda: len(got) == 8)
    assert [e.id for e in got] == [e.id for e in first + second]
    assert got == first + second
    assert all(row.published_at is not None for row in await rows(database))
    assert backlog(metrics) == 0


async def test_a_rolled_back_transaction_publishes_nothing(
    database: Any, memory_bus: MemoryBus, metrics: Metrics
) -> None:
    outbox = SqlOutbox(ManualClock())
    with pytest.raises(Failed):
        async with database.session() as session:
            await outbox.add(session, "order.created", {"id": 1})
            raise Failed
    relay = OutboxRelay(database, memory_bus, metrics)
    assert await relay.relay_once() == 0
    assert await rows(database) == []


async def test_events_wait_in_the_outbox_while_the_broker_is_down(
    database: Any, metrics: Metrics, rabbitmq_url: str
) -> None:
    outbox = SqlOutbox(ManualClock())
    async with database.session() as session:
        sent = [await outbox.add(session, "payment.settled", {"n": n}) for n in range(3)]

    down = RabbitBus("amqp://guest:guest@127.0.0.1:1/", "nsltest.down", "nsltest", metrics)
    assert await OutboxRelay(database, down, metrics).relay_once() == 0
    await down.close()
    stored = await rows(database)
    assert [r.published_at for r in stored] == [None, None, None]
    assert (stored[0].attempts, stored[1].attempts) == (1, 0)  # the batch stopped at the first
    assert "unreachable" in (stored[0].last_error or "")
    assert backlog(metrics) == 3

    unique = uuid.uuid4().hex[:10]
    bus = RabbitBus(rabbitmq_url, f"nsltest.{unique}", f"nsltest.{unique}", metrics)
    got: list[Event] = []
    try:
        await bus.subscribe("ledger", "payment.*", _append(got))
        assert await OutboxRelay(database, bus, metrics).relay_once() == 3
        await eventually(lambda: len(got) == 3)
        assert [e.id for e in got] == [e.id for e in sent]
        assert backlog(metrics) == 0
    finally:
        queues = bus.queue_names
        await bus.close()
        await delete_rabbit_objects(rabbitmq_url, f"nsltest.{unique}", queues)


async def test_published_events_are_purged_after_retention(
    database: Any, memory_bus: MemoryBus, metrics: Metrics
) -> None:
    clock = ManualClock()
    outbox = SqlOutbox(clock)
    relay = OutboxRelay(database, memory_bus, metrics, clock=clock)
    async with database.session() as session:
        await outbox.add(session, "old.event", {})
    assert await relay.relay_once() == 1
    clock.advance(3600)
    async with database.session() as session:
        pending = await outbox.add(session, "new.event", {})
    assert await relay.purge_published(clock.now() - timedelta(minutes=30)) == 1
    assert [r.id for r in await rows(database)] == [pending.id]


async def test_payloads_json_cannot_hold_are_refused_when_added(database: Any) -> None:
    outbox = SqlOutbox(ManualClock())
    with pytest.raises(TypeError):
        async with database.session() as session:
            await outbox.add(session, "amount.too.big", {"wei": 2**70})
    assert await rows(database) == []


class GatedBus:
    """A real bus whose publishing waits for ``gate`` (to hold a relay inside its batch)."""

    backend = "memory"

    def __init__(self, bus: MemoryBus, gate: asyncio.Event) -> None:
        self.bus, self.gate, self.waiting = bus, gate, asyncio.Event()

    async def publish(self, event: Event) -> None:
        self.waiting.set()
        await self.gate.wait()
        await self.bus.publish(event)

    async def subscribe(self, consumer: str, topic: str, handler: Any) -> None:
        await self.bus.subscribe(consumer, topic, handler)

    async def health(self) -> Any:
        return await self.bus.health()


async def test_concurrent_relays_on_postgresql_share_the_backlog(
    database: Any, memory_bus: MemoryBus, metrics: Metrics
) -> None:
    if database.dialect != "postgresql":
        pytest.skip("SQLite is embedded: a single process runs a single relay")
    outbox = SqlOutbox(ManualClock())
    async with database.session() as session:
        sent = [await outbox.add(session, "job.queued", {"n": n}) for n in range(10)]
    got: list[Event] = []
    await memory_bus.subscribe("workers", "job.*", _append(got))
    gate = asyncio.Event()
    held = GatedBus(memory_bus, gate)
    first = asyncio.create_task(OutboxRelay(database, held, metrics, batch_size=5).relay_once())
    await asyncio.wait_for(held.waiting.wait(), 5)  # the first relay has locked its batch
    assert await OutboxRelay(database, memory_bus, metrics, batch_size=5).relay_once() == 5
    gate.set()
    assert await first == 5
    await eventually(lambda: len(got) == 10)
    assert [e.id for e in got] == [e.id for e in sent[5:] + sent[:5]]


async def test_an_idempotent_consumer_handles_a_redelivered_event_once(
    database: Any, memory_bus: MemoryBus, metrics: Metrics
) -> None:
    outbox = SqlOutbox(ManualClock())
    got: list[Event] = []
    await memory_bus.subscribe("mailer", "user.*", idempotent(database, "mailer", _append(got)))
    async with database.session() as session:
        event = await outbox.add(session, "user.joined", {"user": "u1"})
    assert await OutboxRelay(database, memory_bus, metrics).relay_once() == 1
    await memory_bus.publish(event)  # the broker delivers it a second time
    await memory_bus.publish(Event("other-id", "user.left", {}, event.occurred_at))
    await eventually(lambda: len(got) == 2)
    assert [e.id for e in got] == [event.id, "other-id"]


def _append(into: list[Event]) -> Any:
    async def handle(event: Event) -> None:
        into.append(event)

    return handle
