"""In-process event bus with the routing, delivery and retry rules of the RabbitMQ one."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from nsl.adapters.bus_groups import ConsumerGroup
from nsl.adapters.events import decode_event, encode_event
from nsl.core.errors import Unavailable
from nsl.core.health import Check, Status
from nsl.core.metrics import Metrics
from nsl.core.ports import Event, EventHandler

log = logging.getLogger(__name__)


class MemoryBus:
    """Topic publish/subscribe inside one process; events live only in memory.

    Events travel as the same JSON bodies as on RabbitMQ, through one queue and one worker
    task per consumer name. A failed handler gets the event again, up to ``max_deliveries``
    times; then it is dropped with an error log (there is no broker to dead-letter to).
    """

    backend = "memory"

    def __init__(self, metrics: Metrics, *, max_deliveries: int = 5) -> None:
        if max_deliveries < 1:
            raise ValueError("max_deliveries must be at least 1")
        self.max_deliveries = max_deliveries
        self._metrics = metrics
        self._groups: dict[str, ConsumerGroup] = {}
        self._queues: dict[str, asyncio.Queue[tuple[bytes, int]]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    async def start(self) -> None:
        self._closed = False

    async def close(self) -> None:
        self._closed = True
        workers = list(self._workers.values())
        self._workers.clear()
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def publish(self, event: Event) -> None:
        if self._closed:
            raise Unavailable("the event bus is closed", code="bus.unavailable")
        body = encode_event(event)
        for name, group in self._groups.items():
            if group.accepts(event.topic):
                self._queues[name].put_nowait((body, 1))
        self._metrics.bus_published.labels(event.topic).inc()

    async def subscribe(self, consumer: str, topic: str, handler: EventHandler) -> None:
        group = self._groups.get(consumer)
        if group is None:
            group = self._groups[consumer] = ConsumerGroup(consumer, self._metrics)
            self._queues[consumer] = asyncio.Queue()
            self._workers[consumer] = asyncio.create_task(
                self._work(group, self._queues[consumer]), name=f"bus:{consumer}"
            )
        group.bind(topic, handler)

    async def health(self) -> Check:
        if self._closed:
            return Check("bus", Status.DOWN, "closed", backend=self.backend)
        waiting = sum(q.qsize() for q in self._queues.values())
        return Check("bus", Status.OK, f"{waiting} events waiting", backend=self.backend)

    async def _work(self, group: ConsumerGroup, queue: asyncio.Queue[tuple[bytes, int]]) -> None:
        current = asyncio.current_task()
        while True:
            # A driver may swallow a cancellation that lands inside a handler (aiosqlite
            # mid-connect); honour it here, or close() would wait on this worker forever.
            if current is not None and current.cancelling():
                raise asyncio.CancelledError
            body, delivery = await queue.get()
            event = decode_event(body)
            if await group.handle(event):
                continue
            if delivery < self.max_deliveries:
                queue.put_nowait((body, delivery + 1))
                continue
            self._metrics.bus_consumed.labels(event.topic, group.name, "dead").inc()
            log.error(
                "consumer %s gave up on event %s (%s) after %d deliveries; dropped",
                group.name,
                event.id,
                event.topic,
                delivery,
            )
