"""In-process cache: byte values with a TTL in a bounded LRU (the L1 tier, or the whole cache)."""

from __future__ import annotations

from collections import OrderedDict

from nsl.core.clock import Clock
from nsl.core.health import Check, Status
from nsl.core.metrics import Metrics


class MemoryCache:
    """TTL + least-recently-used eviction once ``max_entries`` are held; hits/misses by tier."""

    backend = "memory"

    def __init__(
        self,
        max_entries: int,
        default_ttl_s: float,
        clock: Clock,
        metrics: Metrics,
        tier: str = "l1",
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        _check_ttl(default_ttl_s)
        self.max_entries = max_entries
        self.default_ttl_s = default_ttl_s
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self.writes = 0  # sets, deletes and invalidations so far: the fill token
        self._hits = metrics.cache_hits.labels(tier)
        self._misses = metrics.cache_misses.labels(tier)

    def __len__(self) -> int:
        return len(self._entries)

    def peek(self, key: str) -> bytes | None:
        """The live value without counting a hit or a miss or refreshing its recency."""
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self.clock.monotonic():
            return None
        return entry[1]

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is not None and entry[0] <= self.clock.monotonic():
            del self._entries[key]
            entry = None
        if entry is None:
            self._misses.inc()
            return None
        self._entries.move_to_end(key)
        self._hits.inc()
        return entry[1]

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        self.put(key, value, ttl_s)
        self.writes += 1

    async def delete(self, *keys: str) -> None:
        self.drop(*keys)

    async def fill_token(self, key: str) -> str:
        return str(self.writes)

    async def fill(self, key: str, value: bytes, token: str, ttl_s: float | None = None) -> bool:
        """Any write or invalidation since the token (of any key: one counter) drops the fill."""
        if token != str(self.writes):
            return False
        self.put(key, value, ttl_s)
        return True

    def put(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        """Synchronous ``set`` (for tiers that must not yield between a check and the write)."""
        ttl = self.default_ttl_s if ttl_s is None else _check_ttl(ttl_s)
        self._entries[key] = (self.clock.monotonic() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def drop(self, *keys: str) -> None:
        """Synchronous ``delete``."""
        self.writes += 1
        for key in keys:
            self._entries.pop(key, None)

    def clear(self) -> None:
        self.writes += 1
        self._entries.clear()

    async def health(self) -> Check:
        return Check("cache", Status.OK, f"{len(self._entries)} entries", backend=self.backend)


def _check_ttl(ttl_s: float) -> float:
    if ttl_s <= 0:
        raise ValueError("a cache TTL must be positive")
    return ttl_s
