"""Two-tier cache: in-process L1 in front of Redis L2, with cross-process invalidation."""

from __future__ import annotations

import logging
from typing import Any

from nsl.adapters.cache_invalidation import InvalidationListener, decode, encode
from nsl.adapters.cache_memory import MemoryCache
from nsl.adapters.redis_client import REDIS_ERRORS, connect_redis, redacted
from nsl.core.health import Check, Status
from nsl.core.ids import new_id
from nsl.core.metrics import Metrics

log = logging.getLogger(__name__)

# KEYS: value key, generation key; ARGV: value, generation seen before loading, ttl in ms.
FILL_IF_UNCHANGED = """
if tostring(redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
"""


class TieredCache:
    """L1 (:class:`MemoryCache`) + L2 (Redis). Call ``start()`` to receive invalidations.

    Every write publishes the written keys on ``<prefix>cache:invalidate``; each process's
    listener drops them from its own L1. When Redis fails, reads fall back to L1 (a miss
    beyond it), writes still reach L1, and ``health()`` reports DEGRADED until it is safe
    again: Redis answers, the listener is subscribed and no lost write can still be stale.
    """

    backend = "redis"

    def __init__(
        self,
        l1: MemoryCache,
        redis_url: str,
        prefix: str,
        l2_ttl_s: float,
        metrics: Metrics,
        *,
        instance_id: str | None = None,
        timeout_s: float = 2.0,
        max_connections: int = 20,
    ) -> None:
        if l2_ttl_s <= 0:
            raise ValueError("l2_ttl_s must be positive")
        self.l1 = l1
        self.l2_ttl_s = l2_ttl_s
        self.instance_id = instance_id or new_id()
        self.failures = 0
        self._metrics = metrics
        self._keys = prefix + "cache:"
        self._generations = prefix + "cache-gen:"
        self._channel = prefix + "cache:invalidate"
        self._where = redacted(redis_url)
        self._redis = connect_redis(redis_url, timeout_s=timeout_s, max_connections=max_connections)
        self._listener = InvalidationListener(redis_url, self._channel, self._on_invalidation)
        self._fill_script = self._redis.register_script(FILL_IF_UNCHANGED)
        self._lost_writes = 0
        self._last_lost_write: float | None = None
        self._generation = 0

    async def start(self) -> None:
        await self._listener.start()

    async def close(self) -> None:
        await self._listener.close()
        await self._redis.aclose()

    async def get(self, key: str) -> bytes | None:
        value = await self.l1.get(key)
        if value is not None:
            return value
        generation = self._generation
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.get(self._keys + key)
                pipe.pttl(self._keys + key)
                value, pttl = await pipe.execute()
        except REDIS_ERRORS as exc:
            self._failed("get", exc)
            self._metrics.cache_misses.labels("l2").inc()
            return None
        if value is None:
            self._metrics.cache_misses.labels("l2").inc()
            return None
        self._metrics.cache_hits.labels("l2").inc()
        # An invalidation seen while Redis answered may concern this value: do not keep it.
        if generation == self._generation:
            ttl = self.l1.default_ttl_s if pttl < 0 else min(self.l1.default_ttl_s, pttl / 1000)
            if ttl > 0:
                self.l1.put(key, value, ttl)
        return bytes(value)

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        ttl = self.l2_ttl_s if ttl_s is None else ttl_s
        if ttl <= 0:
            raise ValueError("a cache TTL must be positive")
        self._generation += 1
        self.l1.put(key, value, min(ttl, self.l1.default_ttl_s))
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.set(self._keys + key, value, px=max(1, round(ttl * 1000)))
                self._bump(pipe, key)
                pipe.publish(self._channel, encode(self.instance_id, [key]))
                await pipe.execute()
        except REDIS_ERRORS as exc:
            self._failed("set", exc, write=True)

    async def delete(self, *keys: str) -> None:
        if not keys:
            return
        self._generation += 1
        self.l1.drop(*keys)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.delete(*(self._keys + k for k in keys))
                for key in keys:
                    self._bump(pipe, key)
                pipe.publish(self._channel, encode(self.instance_id, list(keys)))
                await pipe.execute()
        except REDIS_ERRORS as exc:
            self._failed("delete", exc, write=True)

    async def fill_token(self, key: str) -> str:
        local = self._generation
        try:
            shared = await self._redis.get(self._generations + key)
        except REDIS_ERRORS as exc:
            self._failed("fill_token", exc)
            return f"{local}:-"
        return f"{local}:{int(shared or 0)}"

    async def fill(self, key: str, value: bytes, token: str, ttl_s: float | None = None) -> bool:
        """Stored in Redis only if no process wrote ``key`` since the token (checked in Redis,
        atomically); in L1 only if this process saw no write or invalidation meanwhile."""
        local, _, shared = token.partition(":")
        if local != str(self._generation):
            return False
        ttl = self.l2_ttl_s if ttl_s is None else ttl_s
        if shared != "-":
            try:
                stored = await self._fill_script(
                    keys=[self._keys + key, self._generations + key],
                    args=[value, shared, max(1, round(ttl * 1000))],
                )
            except REDIS_ERRORS as exc:
                self._failed("fill", exc)
                return False
            if not stored or local != str(self._generation):
                return False
        self.l1.put(key, value, min(ttl, self.l1.default_ttl_s))
        return True

    def _bump(self, pipe: Any, key: str) -> None:
        """Record a write of ``key`` for every process's pending fills (kept past any value)."""
        pipe.incr(self._generations + key)
        pipe.pexpire(self._generations + key, max(1, round(self.l2_ttl_s * 2000)))

    async def health(self) -> Check:
        try:
            await self._redis.ping()
        except REDIS_ERRORS as exc:
            detail = f"redis at {self._where} unreachable ({type(exc).__name__}); serving L1 only"
            return Check("cache", Status.DEGRADED, detail, backend=self.backend)
        if not self._listener.subscribed:
            detail = "not receiving invalidations from other processes"
            return Check("cache", Status.DEGRADED, detail, backend=self.backend)
        if self._stale_window_open():
            detail = (
                f"{self._lost_writes} writes did not reach redis; other processes may read "
                f"stale values for up to {self.l2_ttl_s:g} s after the last one"
            )
            return Check("cache", Status.DEGRADED, detail, backend=self.backend)
        return Check("cache", Status.OK, f"{len(self.l1)} L1 entries", backend=self.backend)

    def _on_invalidation(self, message: bytes | None) -> None:
        """Drop the keys another process wrote; ``None`` means messages may have been missed."""
        self._generation += 1
        if message is None:
            self.l1.clear()
            return
        sender, keys = decode(message)
        if sender != self.instance_id:
            self.l1.drop(*keys)

    def _failed(self, operation: str, exc: BaseException, *, write: bool = False) -> None:
        self.failures += 1
        if write:
            self._lost_writes += 1
            self._last_lost_write = self.l1.clock.monotonic()
        log.warning(
            "cache %s: redis at %s failed (%s); using L1 only",
            operation,
            self._where,
            type(exc).__name__,
        )

    def _stale_window_open(self) -> bool:
        if self._last_lost_write is None:
            return False
        return self.l1.clock.monotonic() - self._last_lost_write < self.l2_ttl_s
