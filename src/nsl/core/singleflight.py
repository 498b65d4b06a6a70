"""Single flight: concurrent callers asking for the same missing value share one load."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class SingleFlight(Generic[K, V]):
    """While a load for ``key`` runs, later callers await its outcome instead of loading again.

    Used where a cache entry expires under load: without it, every in-flight request misses
    at once and queues its own database read.
    """

    def __init__(self) -> None:
        self._calls: dict[K, asyncio.Future[V]] = {}

    async def run(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        pending = self._calls.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._calls[key] = future
        try:
            result = await load()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # the followers (if any) re-raise it; nobody else must
            raise
        finally:
            del self._calls[key]
        future.set_result(result)
        return result
