"""Interfaces the core needs from adapters (cache, bus, outbox, leases, rate limits, database).

Adapters implement these; services depend only on them, so an in-process and a networked
implementation are interchangeable and pass one contract suite.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.core.health import Check

T = TypeVar("T")


class Database(Protocol):
    """Sessions on the relational store."""

    dialect: str

    def session(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A session inside a transaction that commits on success, rolls back on error."""
        ...

    async def run_in_transaction(self, work: Callable[[Connection], T]) -> T:
        """Run blocking Core ``work`` in one transaction, off the event loop, in one hop."""
        ...

    async def health(self) -> Check: ...


class Cache(Protocol):
    """Byte values by key with a TTL. ``delete`` invalidates in every process."""

    backend: str

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None: ...

    async def delete(self, *keys: str) -> None: ...

    async def fill_token(self, key: str) -> str:
        """Take before loading ``key``'s value from its source of truth (see :meth:`fill`)."""
        ...

    async def fill(self, key: str, value: bytes, token: str, ttl_s: float | None = None) -> bool:
        """Cache a loaded value unless ``key`` was set or deleted (by any process) since
        ``token`` was taken; a racing writer's newer data must not be covered by the old."""
        ...

    async def health(self) -> Check: ...


@dataclass(frozen=True)
class Event:
    """A fact that happened, delivered at least once to every subscriber."""

    id: str
    topic: str
    payload: dict[str, Any]
    occurred_at: datetime
    headers: dict[str, str] = field(default_factory=dict)


EventHandler = Callable[[Event], Awaitable[None]]


class EventBus(Protocol):
    """Publish/subscribe by topic. ``publish`` raises when the broker cannot take the event."""

    backend: str

    async def publish(self, event: Event) -> None: ...

    async def subscribe(self, consumer: str, topic: str, handler: EventHandler) -> None:
        """Deliver events matching ``topic`` (``*`` one word, ``#`` any number) to ``handler``."""
        ...

    async def health(self) -> Check: ...


class Outbox(Protocol):
    """Events written in the same transaction as the data they describe."""

    async def add(self, session: AsyncSession, topic: str, payload: dict[str, Any]) -> Event: ...


class Leases(Protocol):
    """Named leases so that only one process at a time does a piece of work."""

    async def try_acquire(self, name: str, holder: str, ttl_s: float) -> bool: ...

    async def release(self, name: str, holder: str) -> None: ...


@dataclass(frozen=True)
class RateDecision:
    """Outcome of counting one request against a sliding window."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float
    retry_after_s: int


class RateLimiter(Protocol):
    """A sliding-window counter shared by every process using the same backend."""

    backend: str

    async def hit(self, key: str, limit: int, window_s: int) -> RateDecision: ...

    async def health(self) -> Check: ...
