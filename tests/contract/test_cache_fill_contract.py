"""Fills guarded by a token: a value loaded before a concurrent write never covers it."""

from __future__ import annotations

from tests.contract.cases import CacheCase, delete_prefix

from nsl.adapters.cache_memory import MemoryCache
from nsl.adapters.cache_redis import TieredCache
from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics


async def test_an_undisturbed_fill_is_stored(cache_case: CacheCase) -> None:
    cache = cache_case.cache
    token = await cache.fill_token("k")
    assert await cache.fill("k", b"loaded", token) is True
    assert await cache.get("k") == b"loaded"


async def test_a_delete_after_the_token_drops_the_fill(cache_case: CacheCase) -> None:
    cache = cache_case.cache
    token = await cache.fill_token("k")
    await cache.delete("k")  # a writer committed newer data and invalidated
    assert await cache.fill("k", b"stale", token) is False
    assert await cache.get("k") is None


async def test_a_set_after_the_token_wins_over_the_fill(cache_case: CacheCase) -> None:
    cache = cache_case.cache
    token = await cache.fill_token("k")
    await cache.set("k", b"newer")
    assert await cache.fill("k", b"stale", token) is False
    assert await cache.get("k") == b"newer"


async def test_a_write_in_another_process_drops_the_fill(
    redis_url: str, redis_prefix: str, metrics: Metrics
) -> None:
    clock = ManualClock()
    reader = TieredCache(
        MemoryCache(100, 30.0, clock, metrics), redis_url, redis_prefix, 300.0, metrics
    )
    writer = TieredCache(
        MemoryCache(100, 30.0, clock, metrics), redis_url, redis_prefix, 300.0, metrics
    )
    try:
        token = await reader.fill_token("k")
        await writer.delete("k")
        # Even before the invalidation message reaches the reader, Redis refuses the fill.
        assert await reader.fill("k", b"stale", token) is False
        assert await writer.get("k") is None
        fresh = await reader.fill_token("k")
        assert await reader.fill("k", b"fresh", fresh) is True
        assert await writer.get("k") == b"fresh"
    finally:
        await reader.close()
        await writer.close()
        await delete_prefix(redis_url, redis_prefix)
