"""Shapes of the contract fixtures and the backend clean-up helpers they share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aio_pika
from redis.asyncio import Redis

from nsl.core.clock import ManualClock
from nsl.core.ports import Cache, RateLimiter


@dataclass
class CacheCase:
    cache: Cache
    clock: ManualClock
    expire: Callable[[str, float], Awaitable[None]]  # let ``key``'s TTL of ``s`` seconds pass


@dataclass
class LimiterCase:
    make: Callable[[], RateLimiter]  # another limiter on the same backend (another process)
    pass_time: Callable[[float], Awaitable[None]]
    now: Callable[[], Awaitable[float]]  # the backend's Unix time


async def delete_prefix(url: str, prefix: str) -> None:
    """Remove every Redis key a test wrote under its own prefix."""
    client = Redis.from_url(url)
    try:
        keys = [k async for k in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def delete_rabbit_objects(url: str, exchange: str, queues: list[str]) -> None:
    """Remove the queues and the exchange a test declared."""
    connection = await aio_pika.connect_robust(url)
    try:
        channel = await connection.channel()
        for name in queues:
            await channel.queue_delete(name)
        await channel.exchange_delete(exchange)
    finally:
        await connection.close()
