"""One behaviour for every cache: in-process (MemoryCache) and two-tier (TieredCache on Redis)."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from tests.contract.cases import CacheCase, delete_prefix

from nsl.adapters.cache_memory import MemoryCache
from nsl.adapters.cache_redis import TieredCache
from nsl.core.clock import ManualClock
from nsl.core.health import Status
from nsl.core.metrics import Metrics


def sample(metrics: Metrics, name: str, tier: str) -> float:
    return metrics.registry.get_sample_value(name, {"tier": tier}) or 0.0


async def test_a_stored_value_is_read_back(cache_case: CacheCase) -> None:
    await cache_case.cache.set("user:1", b"alice")
    assert await cache_case.cache.get("user:1") == b"alice"


async def test_an_unknown_key_is_a_miss(cache_case: CacheCase) -> None:
    assert await cache_case.cache.get("nothing-here") is None


async def test_a_second_set_replaces_the_value(cache_case: CacheCase) -> None:
    await cache_case.cache.set("k", b"one")
    await cache_case.cache.set("k", b"two")
    assert await cache_case.cache.get("k") == b"two"


async def test_delete_removes_every_given_key(cache_case: CacheCase) -> None:
    cache = cache_case.cache
    for key in ("a", "b", "c"):
        await cache.set(key, key.encode())
    await cache.delete("a", "b", "never-set")
    assert [await cache.get(k) for k in ("a", "b", "c")] == [None, None, b"c"]


async def test_a_value_expires_after_its_ttl(cache_case: CacheCase) -> None:
    cache = cache_case.cache
    await cache.set("short", b"v", ttl_s=0.2)
    await cache.set("long", b"w", ttl_s=60)
    cache_case.clock.advance(0.1)
    assert await cache.get("short") == b"v"
    await cache_case.expire("short", 0.2)
    assert await cache.get("short") is None
    assert await cache.get("long") == b"w"


async def test_a_non_positive_ttl_is_refused(cache_case: CacheCase) -> None:
    with pytest.raises(ValueError):
        await cache_case.cache.set("k", b"v", ttl_s=0)


async def test_health_names_the_backend(cache_case: CacheCase) -> None:
    check = await cache_case.cache.health()
    assert check.status is Status.OK
    assert check.backend == cache_case.cache.backend


async def test_hits_and_misses_are_counted_by_tier(cache_case: CacheCase, metrics: Metrics) -> None:
    await cache_case.cache.set("k", b"v")
    await cache_case.cache.get("k")
    await cache_case.cache.get("absent")
    assert sample(metrics, "nsl_cache_hits_total", "l1") == 1
    assert sample(metrics, "nsl_cache_misses_total", "l1") == 1


async def test_memory_cache_evicts_the_least_recently_used_entry(metrics: Metrics) -> None:
    cache = MemoryCache(3, 30.0, ManualClock(), metrics)
    for key in ("a", "b", "c"):
        await cache.set(key, b"x")
    await cache.get("a")  # "b" is now the least recently used
    await cache.set("d", b"x")
    assert len(cache) == 3
    assert [await cache.get(k) for k in ("a", "b", "c", "d")] == [b"x", None, b"x", b"x"]


async def test_tiered_cache_serves_l1_evictions_from_redis(
    metrics: Metrics, redis_url: str, redis_prefix: str
) -> None:
    l1 = MemoryCache(2, 30.0, ManualClock(), metrics)
    cache = TieredCache(l1, redis_url, redis_prefix, 300.0, metrics)
    try:
        for key in ("a", "b", "c"):
            await cache.set(key, key.encode())
        assert len(l1) == 2
        assert l1.peek("a") is None
        assert await cache.get("a") == b"a"
        assert sample(metrics, "nsl_cache_hits_total", "l2") == 1
        assert l1.peek("a") == b"a"  # filled back into L1
    finally:
        await cache.close()
        await delete_prefix(redis_url, redis_prefix)


async def test_tiered_cache_keeps_the_redis_ttl_when_filling_l1(
    metrics: Metrics, redis_url: str, redis_prefix: str
) -> None:
    clock = ManualClock()

    def tiered() -> TieredCache:
        l1 = MemoryCache(10, 30.0, clock, metrics)
        return TieredCache(l1, redis_url, redis_prefix, 300.0, metrics)

    writer, reader = tiered(), tiered()
    raw = Redis.from_url(redis_url)
    try:
        await writer.set("k", b"v", ttl_s=5)
        assert await reader.get("k") == b"v"
        clock.advance(5.01)  # L1 must not outlive the Redis entry it copied
        assert reader.l1.peek("k") is None
        assert 0 < await raw.pttl(redis_prefix + "cache:k") <= 5000
    finally:
        await writer.close()
        await reader.close()
        await raw.aclose()
        await delete_prefix(redis_url, redis_prefix)
