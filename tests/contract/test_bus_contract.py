"""One publish/subscribe behaviour for every bus: in-process and RabbitMQ."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from tests.polling import eventually

from nsl.adapters.bus_memory import MemoryBus
from nsl.adapters.bus_rabbitmq import RabbitBus
from nsl.core.errors import Unavailable
from nsl.core.health import Status
from nsl.core.ids import new_id
from nsl.core.metrics import Metrics
from nsl.core.ports import Event, EventHandler

BusFactory = Callable[[], Awaitable[MemoryBus | RabbitBus]]


def event(topic: str, **payload: object) -> Event:
    return Event(new_id(), topic, dict(payload), datetime.now(UTC), {"trace": "t1"})


def recorder(into: list[Event]) -> EventHandler:
    async def handle(e: Event) -> None:
        into.append(e)

    return handle


async def test_a_subscriber_receives_the_event_as_published(bus_factory: BusFactory) -> None:
    bus = await bus_factory()
    got: list[Event] = []
    await bus.subscribe("audit", "price.updated", recorder(got))
    sent = event("price.updated", pair="NEO/USD", price="12.5", n=3)
    await bus.publish(sent)
    await eventually(lambda: len(got) == 1)
    assert got == [sent]


async def test_patterns_route_by_words(bus_factory: BusFactory) -> None:
    bus = await bus_factory()
    star: list[Event] = []
    hash_: list[Event] = []
    await bus.subscribe("one-word", "price.*.updated", recorder(star))
    await bus.subscribe("any-words", "audit.#", recorder(hash_))
    topics = ["price.neo.updated", "price.neo.gas.updated", "price.updated", "audit", "audit.a.b"]
    topics += ["auditx.a", "price.gas.updated"]
    for topic in topics:
        await bus.publish(event(topic))
    await eventually(lambda: len(star) == 2 and len(hash_) == 2)
    # Events are handled in order per consumer: a last matching event proves nothing else came.
    await bus.publish(event("price.end.updated"))
    await bus.publish(event("audit.end"))
    await eventually(lambda: len(star) == 3 and len(hash_) == 3)
    assert [e.topic for e in star] == [
        "price.neo.updated",
        "price.gas.updated",
        "price.end.updated",
    ]
    assert [e.topic for e in hash_] == ["audit", "audit.a.b", "audit.end"]


async def test_each_consumer_group_gets_each_event_once(bus_factory: BusFactory) -> None:
    first, second = await bus_factory(), await bus_factory()  # two processes
    workers: list[Event] = []
    auditors: list[Event] = []
    await first.subscribe("workers", "job.#", recorder(workers))
    await second.subscribe("workers", "job.#", recorder(workers))
    await first.subscribe("audit", "job.created", recorder(auditors))
    sent = [event("job.created", i=i) for i in range(20)]
    for e in sent:
        await first.publish(e)
    await eventually(lambda: len(workers) == 20 and len(auditors) == 20)
    await first.publish(event("job.created", i="last"))
    await eventually(lambda: len(workers) == 21 and len(auditors) == 21)
    assert sorted(e.id for e in workers[:20]) == sorted(e.id for e in sent)
    assert [e.id for e in auditors[:20]] == [e.id for e in sent]


async def test_a_failed_handler_gets_the_event_again(bus_factory: BusFactory) -> None:
    bus = await bus_factory()
    attempts: list[str] = []
    done: list[Event] = []

    async def flaky(e: Event) -> None:
        attempts.append(e.id)
        if len(attempts) == 1:
            raise RuntimeError("transient")
        done.append(e)

    await bus.subscribe("flaky", "task.run", flaky)
    sent = event("task.run")
    await bus.publish(sent)
    await eventually(lambda: len(done) == 1)
    assert attempts == [sent.id, sent.id]


async def test_an_event_that_always_fails_is_given_up_after_max_deliveries(
    bus_factory: BusFactory, metrics: Metrics
) -> None:
    bus = await bus_factory()  # max_deliveries=3
    attempts: list[str] = []
    fine: list[Event] = []

    async def handler(e: Event) -> None:
        if e.payload.get("poison"):
            attempts.append(e.id)
            raise RuntimeError("never works")
        fine.append(e)

    await bus.subscribe("victim", "task.#", handler)
    await bus.publish(event("task.bad", poison=True))
    await eventually(lambda: len(attempts) == 3)
    await bus.publish(event("task.good"))
    await eventually(lambda: len(fine) == 1)
    assert len(attempts) == 3
    dead = {"topic": "task.bad", "consumer": "victim", "outcome": "dead"}
    assert metrics.registry.get_sample_value("nsl_bus_consumed_total", dead) == 1


async def test_published_and_consumed_events_are_counted(
    bus_factory: BusFactory, metrics: Metrics
) -> None:
    bus = await bus_factory()
    got: list[Event] = []
    await bus.subscribe("counter", "x.y", recorder(got))
    await bus.publish(event("x.y"))
    await eventually(lambda: len(got) == 1)
    sample = metrics.registry.get_sample_value
    assert sample("nsl_bus_published_total", {"topic": "x.y"}) == 1
    ok = {"topic": "x.y", "consumer": "counter", "outcome": "ok"}
    assert sample("nsl_bus_consumed_total", ok) == 1


async def test_a_payload_json_cannot_hold_is_refused(bus_factory: BusFactory) -> None:
    bus = await bus_factory()
    with pytest.raises(TypeError):
        await bus.publish(event("bad", when=object()))


async def test_health_names_the_backend(bus_factory: BusFactory) -> None:
    bus = await bus_factory()
    check = await bus.health()
    assert (check.status, check.backend) == (Status.OK, bus.backend)


async def test_a_closed_bus_refuses_events(bus_factory: BusFactory) -> None:
    bus = await bus_factory()
    await bus.close()
    with pytest.raises(Unavailable) as caught:
        await bus.publish(event("a.b"))
    assert caught.value.code == "bus.unavailable"
    assert (await bus.health()).status is Status.DOWN


async def test_rabbit_bus_without_a_broker_raises_unavailable(metrics: Metrics) -> None:
    bus = RabbitBus("amqp://guest:secret-pw@127.0.0.1:1/", "nsltest.none", "nsltest", metrics)
    try:
        with pytest.raises(Unavailable) as caught:
            await bus.publish(event("a.b"))
        assert caught.value.code == "bus.unavailable"
        assert "secret-pw" not in caught.value.detail
        check = await bus.health()
        assert (check.status, check.backend) == (Status.DOWN, "rabbitmq")
    finally:
        await bus.close()
