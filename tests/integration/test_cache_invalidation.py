"""Two processes' TieredCaches on one Redis: a write in one drops the other's L1 copy.

Also: when Redis fails, the cache keeps serving from L1, never raises, and says DEGRADED.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from tests.contract.cases import delete_prefix
from tests.netfault import TcpProxy
from tests.polling import eventually

from nsl.adapters.cache_memory import MemoryCache
from nsl.adapters.cache_redis import TieredCache
from nsl.core.clock import ManualClock
from nsl.core.health import Status
from nsl.core.metrics import Metrics

Factory = Callable[[], TieredCache]


@pytest.fixture
async def process(redis_url: str, redis_prefix: str, metrics: Metrics) -> AsyncIterator[Factory]:
    """Builds TieredCaches as separate processes would: own L1 and instance id, one Redis."""
    made: list[TieredCache] = []

    def make() -> TieredCache:
        l1 = MemoryCache(100, 30.0, ManualClock(), metrics)
        made.append(TieredCache(l1, redis_url, redis_prefix, 300.0, metrics))
        return made[-1]

    yield make
    for cache in made:
        await cache.close()
    await delete_prefix(redis_url, redis_prefix)


async def test_a_delete_in_one_process_drops_the_others_l1(process: Factory) -> None:
    one, two = process(), process()
    await one.start()
    await two.start()
    await one.set("user:1", b"v1")
    assert await two.get("user:1") == b"v1"
    assert two.l1.peek("user:1") == b"v1"
    await one.delete("user:1")
    await eventually(lambda: two.l1.peek("user:1") is None)
    assert await two.get("user:1") is None


async def test_a_write_in_one_process_replaces_the_others_copy(process: Factory) -> None:
    one, two = process(), process()
    await one.start()
    await two.start()
    await one.set("config:x", b"old")
    assert await two.get("config:x") == b"old"
    await one.set("config:x", b"new")
    await eventually(lambda: two.l1.peek("config:x") is None)
    assert await two.get("config:x") == b"new"
    assert one.l1.peek("config:x") == b"new"  # the writer's own L1 is kept


async def test_health_is_ok_once_listening(process: Factory) -> None:
    cache = process()
    assert (await cache.health()).status is Status.DEGRADED  # not listening yet
    await cache.start()
    check = await cache.health()
    assert (check.status, check.backend) == (Status.OK, "redis")


async def test_without_redis_the_cache_serves_l1_and_reports_degraded(metrics: Metrics) -> None:
    l1 = MemoryCache(100, 30.0, ManualClock(), metrics)
    cache = TieredCache(l1, "redis://:secret-pw@127.0.0.1:1/0", "nsltest:down:", 300.0, metrics)
    try:
        assert await cache.get("k") is None
        await cache.set("k", b"local")
        assert await cache.get("k") == b"local"  # L1 still took the write
        await cache.delete("k")
        assert await cache.get("k") is None
        assert cache.failures == 4  # two gets past L1, the set, the delete
        check = await cache.health()
        assert (check.status, check.backend) == (Status.DEGRADED, "redis")
        assert "secret-pw" not in check.detail
    finally:
        await cache.close()


async def test_after_an_outage_the_cache_recovers_and_owns_up_to_lost_writes(
    metrics: Metrics, redis_url: str, redis_prefix: str
) -> None:
    proxy = TcpProxy("127.0.0.1", 6379)
    port = await proxy.start()
    clock = ManualClock()
    via_proxy = redis_url.replace("127.0.0.1:6379", f"127.0.0.1:{port}")
    cache = TieredCache(
        MemoryCache(100, 30.0, clock, metrics), via_proxy, redis_prefix, 300.0, metrics
    )
    try:
        await cache.start()
        await cache.set("k", b"v1")
        await proxy.cut()
        await cache.set("k", b"v2")  # reaches L1 only
        assert await cache.get("k") == b"v2"
        assert (await cache.health()).status is Status.DEGRADED
        await proxy.start()
        await eventually(lambda: cache.l1.peek("k") is None)  # resubscribed: L1 cleared
        assert await cache.get("k") == b"v1"  # what Redis really holds: the write was lost
        check = await cache.health()
        assert check.status is Status.DEGRADED
        assert "did not reach redis" in check.detail
        clock.advance(300)  # every value written before the outage has expired from Redis
        assert (await cache.health()).status is Status.OK
    finally:
        await cache.close()
        await proxy.cut()
        await delete_prefix(redis_url, redis_prefix)
