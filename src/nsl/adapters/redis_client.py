"""Redis connections for the adapters: fail fast (a cache or a limiter must not hang callers)."""

from __future__ import annotations

from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

# What a Redis call raises when the server cannot be used; callers translate it.
REDIS_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError)


def connect_redis(
    url: str, *, timeout_s: float = 2.0, retries: int = 1, max_connections: int = 20
) -> Redis:
    """A client (no I/O yet) whose calls give up after ``timeout_s`` and ``retries`` retries."""
    return Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), retries),
        max_connections=max_connections,
    )


def redacted(url: str) -> str:
    """``host:port`` of a URL, for logs and health details (never the password)."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
