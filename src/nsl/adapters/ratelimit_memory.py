"""In-process sliding-window rate limiter (one process's budget only)."""

from __future__ import annotations

import math
from collections import deque

from nsl.core.clock import Clock
from nsl.core.health import Check, Status
from nsl.core.ports import RateDecision

SWEEP_EVERY = 1024


class MemoryRateLimiter:
    """Counts each key's hits in the last ``window_s`` seconds (the window slides with time)."""

    backend = "memory"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._hits: dict[str, tuple[int, deque[float]]] = {}
        self._calls = 0

    async def hit(self, key: str, limit: int, window_s: int) -> RateDecision:
        check_limits(limit, window_s)
        now = self._clock.monotonic()
        self._calls += 1
        if self._calls % SWEEP_EVERY == 0:
            self._sweep(now)
        hits = self._hits.setdefault(key, (window_s, deque()))[1]
        self._hits[key] = (window_s, hits)
        while hits and hits[0] <= now - window_s:
            hits.popleft()
        allowed = len(hits) < limit
        if allowed:
            hits.append(now)
        frees_in = hits[0] + window_s - now
        return RateDecision(
            allowed=allowed,
            limit=limit,
            remaining=limit - len(hits),
            reset_at=self._clock.now().timestamp() + frees_in,
            retry_after_s=0 if allowed else max(1, math.ceil(frees_in)),
        )

    async def health(self) -> Check:
        return Check("rate_limiter", Status.OK, f"{len(self._hits)} keys", backend=self.backend)

    def _sweep(self, now: float) -> None:
        """Forget keys whose every hit has left its window."""
        stale = [k for k, (w, hits) in self._hits.items() if not hits or hits[-1] <= now - w]
        for key in stale:
            del self._hits[key]


def check_limits(limit: int, window_s: int) -> None:
    if limit < 1:
        raise ValueError("a rate limit must allow at least one request")
    if window_s < 1:
        raise ValueError("a rate-limit window must be at least one second")
