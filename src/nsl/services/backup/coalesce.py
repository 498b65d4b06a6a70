"""Coalescing: many requests during a short window share one run that starts after them all.

``request()`` returns when a run that *started after the request* has finished (so its result
covers the caller's change), and raises that run's error. Requests arriving while a run is in
progress join the next run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class Coalescer:
    def __init__(self, run: Callable[[], Awaitable[object]], window_s: float) -> None:
        self._run = run
        self._window_s = window_s
        self._next: asyncio.Future[None] | None = None
        self._lock = asyncio.Lock()  # one run at a time
        self._tasks: set[asyncio.Task[None]] = set()

    async def request(self) -> None:
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            task = asyncio.create_task(self._fire(self._next))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        await asyncio.shield(self._next)

    async def _fire(self, done: asyncio.Future[None]) -> None:
        await asyncio.sleep(self._window_s)  # let the burst gather
        async with self._lock:
            if self._next is done:
                self._next = None  # later requests need a later run
            try:
                await self._run()
            except Exception as exc:  # noqa: BLE001 - handed to every waiter
                if not done.done():
                    done.set_exception(exc)
                return
            if not done.done():
                done.set_result(None)
