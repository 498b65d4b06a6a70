"""One robust RabbitMQ connection: a confirming publish channel and a consume channel."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection
from aio_pika.exceptions import AMQPError, ChannelInvalidStateError

from nsl.core.errors import Unavailable

# What aio-pika raises when the broker cannot take a request.
AMQP_ERRORS: tuple[type[BaseException], ...] = (
    AMQPError,
    ChannelInvalidStateError,
    OSError,
    TimeoutError,
)


class RabbitLink:
    """Connects on first use (no I/O in the constructor); aio-pika reconnects after that."""

    def __init__(self, url: str, exchange: str, *, prefetch: int, timeout_s: float) -> None:
        self._url = url
        self._exchange_name = exchange
        self._prefetch = prefetch
        self._timeout_s = timeout_s
        self._lock = asyncio.Lock()
        self._connection: AbstractRobustConnection | None = None
        self._exchange: AbstractExchange | None = None
        self._consume: AbstractChannel | None = None

    @property
    def connected(self) -> bool:
        conn = self._connection
        return conn is not None and not conn.is_closed and conn.connected.is_set()

    @property
    def exchange(self) -> AbstractExchange:
        assert self._exchange is not None, "open() first"
        return self._exchange

    @property
    def consume_channel(self) -> AbstractChannel:
        assert self._consume is not None, "open() first"
        return self._consume

    async def open(self) -> RabbitLink:
        """Connect and declare the exchange once; ``Unavailable`` if the broker is unreachable."""
        async with self._lock:
            if self._connection is None:
                await self._connect()
        return self

    async def close(self) -> None:
        async with self._lock:
            connection, self._connection = self._connection, None
            self._exchange = self._consume = None
            if connection is not None:
                with contextlib.suppress(*AMQP_ERRORS):  # closing a link that already broke
                    await connection.close()

    async def _connect(self) -> None:
        connection: AbstractRobustConnection | None = None
        try:
            connection = await aio_pika.connect_robust(self._url, timeout=self._timeout_s)
            publish = await connection.channel(publisher_confirms=True)
            self._exchange = await publish.declare_exchange(
                self._exchange_name,
                aio_pika.ExchangeType.TOPIC,
                durable=True,
                timeout=self._timeout_s,
            )
            self._consume = await connection.channel()
            await self._consume.set_qos(prefetch_count=self._prefetch)
        except AMQP_ERRORS as exc:
            if connection is not None:
                with contextlib.suppress(*AMQP_ERRORS):
                    await connection.close()
            where = urlsplit(self._url)
            raise Unavailable(
                f"the event broker at {where.hostname}:{where.port} is unreachable "
                f"({type(exc).__name__})",
                code="bus.unavailable",
            ) from exc
        self._connection = connection
