"""RabbitMQ event bus (aio-pika): a durable topic exchange, one durable queue per consumer name."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from pamqp.common import FieldTable

from nsl.adapters.bus_groups import ConsumerGroup
from nsl.adapters.events import decode_event, encode_event
from nsl.adapters.rabbit_link import AMQP_ERRORS, RabbitLink
from nsl.core.errors import Unavailable
from nsl.core.health import Check, Status
from nsl.core.metrics import Metrics
from nsl.core.ports import Event, EventHandler

log = logging.getLogger(__name__)


class RabbitBus:
    """Publish/subscribe through a RabbitMQ topic exchange.

    Publishing waits for the broker's confirm. A handler's success acks; a failure nacks and
    requeues. Queues are quorum queues with ``x-delivery-limit``: after ``max_deliveries``
    failed deliveries the broker moves the event to ``<queue>.dead`` (kept, never retried).
    Within one process a consumer's events are handled one at a time, in delivery order.
    """

    backend = "rabbitmq"

    def __init__(
        self,
        url: str,
        exchange: str,
        queue_prefix: str,
        metrics: Metrics,
        *,
        max_deliveries: int = 5,
        prefetch: int = 10,
        timeout_s: float = 5.0,
    ) -> None:
        if max_deliveries < 1:
            raise ValueError("max_deliveries must be at least 1")
        self.queue_prefix = queue_prefix
        self.max_deliveries = max_deliveries
        self._metrics = metrics
        self._timeout_s = timeout_s
        self._link = RabbitLink(url, exchange, prefetch=prefetch, timeout_s=timeout_s)
        self._groups: dict[str, ConsumerGroup] = {}
        self._queues: dict[str, AbstractQueue] = {}
        self._subscribing = asyncio.Lock()
        self._closed = False

    @property
    def queue_names(self) -> list[str]:
        """Every queue this bus declared (each consumer's queue and its dead-letter queue)."""
        return [name for q in self._queues.values() for name in (q.name, q.name + ".dead")]

    async def start(self) -> None:
        """Connect (raises ``Unavailable`` when the broker cannot be reached).

        Publishing and subscribing also connect on first use, so ``start`` is optional.
        """
        self._closed = False
        await self._link.open()

    async def close(self) -> None:
        self._closed = True
        await self._link.close()
        self._queues.clear()
        self._groups.clear()

    async def publish(self, event: Event) -> None:
        link = await self._open()
        message = aio_pika.Message(
            encode_event(event),
            message_id=event.id,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            timestamp=event.occurred_at,
            type=event.topic,
        )
        try:
            await link.exchange.publish(message, routing_key=event.topic, timeout=self._timeout_s)
        except AMQP_ERRORS as exc:
            raise Unavailable(
                f"the event bus did not accept the event ({type(exc).__name__})",
                code="bus.unavailable",
            ) from exc
        self._metrics.bus_published.labels(event.topic).inc()

    async def subscribe(self, consumer: str, topic: str, handler: EventHandler) -> None:
        link = await self._open()
        try:
            async with self._subscribing:
                group = self._groups.get(consumer)
                if group is None:
                    group = ConsumerGroup(consumer, self._metrics)
                    group.bind(topic, handler)
                    queue = await self._declare(consumer)
                    await queue.consume(self._receiver(group), timeout=self._timeout_s)
                    self._groups[consumer], self._queues[consumer] = group, queue
                else:
                    group.bind(topic, handler)
                await self._queues[consumer].bind(link.exchange, routing_key=topic)
        except AMQP_ERRORS as exc:
            raise Unavailable(
                f"could not subscribe {consumer} ({type(exc).__name__})", code="bus.unavailable"
            ) from exc

    async def health(self) -> Check:
        if not self._link.connected:
            return Check("bus", Status.DOWN, "not connected to the broker", backend=self.backend)
        return Check("bus", Status.OK, f"{len(self._groups)} consumers", backend=self.backend)

    async def _open(self) -> RabbitLink:
        if self._closed:
            raise Unavailable("the event bus is closed", code="bus.unavailable")
        return await self._link.open()

    async def _declare(self, consumer: str) -> AbstractQueue:
        channel = self._link.consume_channel
        name = f"{self.queue_prefix}.{consumer}"
        await channel.declare_queue(name + ".dead", durable=True, timeout=self._timeout_s)
        arguments: FieldTable = {
            "x-queue-type": "quorum",
            "x-delivery-limit": self.max_deliveries - 1,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": name + ".dead",
        }
        return await channel.declare_queue(
            name,
            durable=True,
            arguments=arguments,
            timeout=self._timeout_s,
        )

    def _receiver(
        self, group: ConsumerGroup
    ) -> Callable[[AbstractIncomingMessage], Awaitable[None]]:
        async def receive(message: AbstractIncomingMessage) -> None:
            async with group.lock:
                await self._receive(group, message)

        return receive

    async def _receive(self, group: ConsumerGroup, message: AbstractIncomingMessage) -> None:
        try:
            event = decode_event(message.body)
        except ValueError:
            log.error("consumer %s: malformed message %s", group.name, message.message_id)
            await _settle(message.reject(requeue=False))
            return
        if await group.handle(event):
            await _settle(message.ack())
            return
        deliveries = _delivery_count(message)
        if deliveries >= self.max_deliveries:
            self._metrics.bus_consumed.labels(event.topic, group.name, "dead").inc()
            log.error(
                "consumer %s gave up on event %s (%s) after %d deliveries; moved to %s.dead",
                group.name,
                event.id,
                event.topic,
                deliveries,
                f"{self.queue_prefix}.{group.name}",
            )
        await _settle(message.nack(requeue=True))


def _delivery_count(message: AbstractIncomingMessage) -> int:
    """Which delivery of this message this is (quorum queues count earlier failed ones)."""
    previous = (message.headers or {}).get("x-delivery-count", 0)
    return (previous if isinstance(previous, int) else 0) + 1


async def _settle(outcome: Awaitable[None]) -> None:
    """Await an ack/nack; a connection lost meanwhile means the broker redelivers anyway."""
    try:
        await outcome
    except AMQP_ERRORS as exc:
        log.warning("could not settle a message (%s); the broker redelivers it", type(exc).__name__)
