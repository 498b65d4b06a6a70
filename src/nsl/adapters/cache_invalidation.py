"""Cross-process L1 invalidation over Redis pub/sub: the message format and the listener task."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import orjson

from nsl.adapters.redis_client import REDIS_ERRORS, connect_redis, redacted

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 5.0


def encode(sender: str, keys: list[str]) -> bytes:
    return orjson.dumps({"sender": sender, "keys": keys})


def decode(message: bytes) -> tuple[str, list[str]]:
    data = orjson.loads(message)
    return str(data["sender"]), [str(k) for k in data["keys"]]


class InvalidationListener:
    """Subscribes to ``channel`` and calls ``on_message`` with each message body.

    After a lost connection it resubscribes (backing off) and first calls ``on_message(None)``,
    since messages published meanwhile were missed.
    """

    def __init__(
        self, redis_url: str, channel: str, on_message: Callable[[bytes | None], None]
    ) -> None:
        self._url = redis_url
        self._channel = channel
        self._on_message = on_message
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self.subscribed = False

    async def start(self, ready_timeout_s: float = 5.0) -> None:
        """Start listening; wait (bounded) for the first subscription so writes after it count."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"invalidation:{self._channel}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), ready_timeout_s)
        if not self.subscribed:
            log.warning("cache invalidation: redis at %s not reachable yet", redacted(self._url))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.subscribed = False

    async def _run(self) -> None:
        delay = 0.1
        connected_before = False
        while True:
            client = connect_redis(self._url, retries=0, max_connections=1)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(self._channel)
                if connected_before:
                    self._on_message(None)
                connected_before = True
                self.subscribed = True
                self._ready.set()
                delay = 0.1
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._deliver(message["data"])
            except REDIS_ERRORS as exc:
                log.warning(
                    "cache invalidation: lost redis at %s (%s); retrying in %.1f s",
                    redacted(self._url),
                    type(exc).__name__,
                    delay,
                )
            finally:
                self.subscribed = False
                with contextlib.suppress(*REDIS_ERRORS):  # closing a connection that broke
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
                    await client.aclose()
            await asyncio.sleep(delay)  # reconnect backoff
            delay = min(delay * 2, MAX_BACKOFF_S)

    def _deliver(self, data: bytes) -> None:
        try:
            self._on_message(data)
        except (ValueError, KeyError, TypeError):
            log.error("cache invalidation: malformed message on %s; clearing L1", self._channel)
            self._on_message(None)
