"""The in-process limiter forgets idle keys, so its memory stays bounded."""

from __future__ import annotations

from nsl.adapters.ratelimit_memory import SWEEP_EVERY, MemoryRateLimiter
from nsl.core.clock import ManualClock
from nsl.core.health import Status


async def test_idle_keys_are_forgotten_after_their_window() -> None:
    clock = ManualClock()
    limiter = MemoryRateLimiter(clock)
    for i in range(SWEEP_EVERY - 1):
        await limiter.hit(f"ip:{i}", 5, 10)
    clock.advance(10)
    await limiter.hit("fresh", 5, 10)  # the sweep runs on this call
    check = await limiter.health()
    assert (check.status, check.detail) == (Status.OK, "1 keys")
