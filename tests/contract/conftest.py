"""Every implementation of a port, ready to use, for the contract suites (real Redis/RabbitMQ)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from redis.asyncio import Redis
from tests.contract.cases import (
    CacheCase,
    LimiterCase,
    delete_prefix,
    delete_rabbit_objects,
)
from tests.polling import eventually

from nsl.adapters.bus_memory import MemoryBus
from nsl.adapters.bus_rabbitmq import RabbitBus
from nsl.adapters.cache_memory import MemoryCache
from nsl.adapters.cache_redis import TieredCache
from nsl.adapters.ratelimit_memory import MemoryRateLimiter
from nsl.adapters.ratelimit_redis import RedisRateLimiter
from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics
from nsl.core.ports import RateLimiter


@pytest.fixture(params=["memory", "redis"])
async def cache_case(request: pytest.FixtureRequest, metrics: Metrics) -> AsyncIterator[CacheCase]:
    clock = ManualClock()
    l1 = MemoryCache(100, 30.0, clock, metrics)
    if request.param == "memory":

        async def advance(_key: str, seconds: float) -> None:
            clock.advance(seconds)

        yield CacheCase(l1, clock, advance)
        return
    url: str = request.getfixturevalue("redis_url")
    prefix: str = request.getfixturevalue("redis_prefix")
    cache = TieredCache(l1, url, prefix, 300.0, metrics)
    await cache.start()
    raw = Redis.from_url(url)

    async def expire_in_redis(key: str, seconds: float) -> None:
        clock.advance(seconds)
        await eventually(lambda: _gone(raw, prefix + "cache:" + key), within=seconds + 5)

    yield CacheCase(cache, clock, expire_in_redis)
    await cache.close()
    await raw.aclose()
    await delete_prefix(url, prefix)


async def _gone(client: Redis, key: str) -> bool:
    return await client.exists(key) == 0


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(params=["memory", "rabbitmq"])
async def bus_factory(
    request: pytest.FixtureRequest, metrics: Metrics, unique: str
) -> AsyncIterator[Callable[[], Awaitable[MemoryBus | RabbitBus]]]:
    """Builds started buses on one shared backend (several "processes" on one broker)."""
    buses: list[MemoryBus | RabbitBus] = []
    url = request.getfixturevalue("rabbitmq_url") if request.param == "rabbitmq" else ""
    exchange = f"nsltest.{unique}"
    shared_memory = MemoryBus(metrics, max_deliveries=3)

    async def make() -> MemoryBus | RabbitBus:
        if request.param == "memory":
            if not buses:
                buses.append(shared_memory)
            return shared_memory
        bus = RabbitBus(url, exchange, f"nsltest.{unique}", metrics, max_deliveries=3)
        await bus.start()
        buses.append(bus)
        return bus

    yield make
    rabbits = [bus for bus in buses if isinstance(bus, RabbitBus)]
    queues = sorted({name for bus in rabbits for name in bus.queue_names})
    for bus in buses:
        await bus.close()
    if request.param == "rabbitmq":
        await delete_rabbit_objects(url, exchange, queues)


@pytest.fixture(params=["memory", "redis"])
async def limiter_case(request: pytest.FixtureRequest) -> AsyncIterator[LimiterCase]:
    if request.param == "memory":
        clock = ManualClock()
        shared = MemoryRateLimiter(clock)

        async def advance(seconds: float) -> None:
            clock.advance(seconds)

        async def now() -> float:
            return clock.now().timestamp()

        yield LimiterCase(lambda: shared, advance, now)
        return
    url: str = request.getfixturevalue("redis_url")
    prefix: str = request.getfixturevalue("redis_prefix")
    made: list[RedisRateLimiter] = []
    raw = Redis.from_url(url)

    def make() -> RateLimiter:
        made.append(RedisRateLimiter(url, prefix))
        return made[-1]

    async def server_now() -> float:
        seconds, micros = await raw.time()
        return float(seconds + micros / 1e6)

    async def server_time_passes(seconds: float) -> None:
        target = await server_now() + seconds

        async def reached() -> bool:
            return await server_now() >= target

        await eventually(reached, within=seconds + 5)

    yield LimiterCase(make, server_time_passes, server_now)
    for limiter in made:
        await limiter.close()
    await raw.aclose()
    await delete_prefix(url, prefix)
