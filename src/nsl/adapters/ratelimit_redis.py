"""Sliding-window rate limiter on Redis: one budget shared by every process using the prefix;
one Lua script over a sorted set of hit times (Redis server time, so host clocks do not matter).
"""

from __future__ import annotations

import math
import secrets

from nsl.adapters.ratelimit_memory import check_limits
from nsl.adapters.redis_client import REDIS_ERRORS, connect_redis, redacted
from nsl.core.errors import Unavailable
from nsl.core.health import Check, Status
from nsl.core.ports import RateDecision

# KEYS[1] the window; ARGV: limit, window (µs), unique member. Returns
# {allowed, hits in window, oldest hit (µs), now (µs)}.
SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
return {allowed, count, tonumber(oldest[2]), now}
"""


class RedisRateLimiter:
    """``hit`` raises ``Unavailable`` (``ratelimit.unavailable``) when Redis cannot answer."""

    backend = "redis"

    def __init__(
        self, redis_url: str, prefix: str, *, timeout_s: float = 2.0, max_connections: int = 20
    ) -> None:
        self._prefix = prefix + "ratelimit:"
        self._where = redacted(redis_url)
        self._redis = connect_redis(redis_url, timeout_s=timeout_s, max_connections=max_connections)
        self._script = self._redis.register_script(SLIDING_WINDOW)

    async def close(self) -> None:
        await self._redis.aclose()

    async def hit(self, key: str, limit: int, window_s: int) -> RateDecision:
        check_limits(limit, window_s)
        window_us = window_s * 1_000_000
        try:
            allowed, count, oldest, now = await self._script(
                keys=[self._prefix + key], args=[limit, window_us, secrets.token_hex(8)]
            )
        except REDIS_ERRORS as exc:
            raise Unavailable(
                f"the rate limiter's redis at {self._where} did not answer ({type(exc).__name__})",
                code="ratelimit.unavailable",
            ) from exc
        frees_in = (int(oldest) + window_us - int(now)) / 1_000_000
        return RateDecision(
            allowed=bool(allowed),
            limit=limit,
            remaining=limit - int(count),
            reset_at=(int(oldest) + window_us) / 1_000_000,
            retry_after_s=0 if allowed else max(1, math.ceil(frees_in)),
        )

    async def health(self) -> Check:
        try:
            await self._redis.ping()
        except REDIS_ERRORS as exc:
            detail = f"redis at {self._where} unreachable ({type(exc).__name__})"
            return Check("rate_limiter", Status.DOWN, detail, backend=self.backend)
        return Check("rate_limiter", Status.OK, backend=self.backend)
