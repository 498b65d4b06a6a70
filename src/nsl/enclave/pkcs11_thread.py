"""The one thread that calls the PKCS#11 library; event loops queue jobs and await results.

python-pkcs11 calls ``C_Initialize(NULL)``: the module (SoftHSM2 too) then takes no locks, so
no two threads may call it at once. Results return to each event loop once per batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

BATCH = 32


@dataclass
class _Job:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    future: asyncio.Future[Any] | Future[Any]
    loop: asyncio.AbstractEventLoop | None  # None: a blocking caller's concurrent Future


class _TokenThread:
    """One thread runs every library call; results go back to each event loop in batches."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="nsl-pkcs11", daemon=True)
        self._thread.start()

    def put(self, job: _Job) -> None:
        self._jobs.put(job)

    def _run(self) -> None:
        while True:
            batch = [self._jobs.get()]
            while len(batch) < BATCH:
                try:
                    batch.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            by_loop: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
            for job in batch:
                try:
                    outcome: _Outcome = (job.future, job.fn(*job.args), None)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller, raised there
                    outcome = (job.future, None, exc)
                if job.loop is None:
                    _settle([outcome])
                else:
                    by_loop.setdefault(job.loop, []).append(outcome)
            for loop, outcomes in by_loop.items():
                with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                    loop.call_soon_threadsafe(_settle, outcomes)


_Outcome = tuple["asyncio.Future[Any] | Future[Any]", Any, BaseException | None]
_thread: _TokenThread | None = None
_thread_guard = threading.Lock()


def _token_thread() -> _TokenThread:
    global _thread
    with _thread_guard:
        if _thread is None:
            _thread = _TokenThread()
        return _thread


def _settle(outcomes: list[_Outcome]) -> None:
    for future, result, error in outcomes:
        if future.cancelled():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


async def call(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` on the token thread (jobs from many callers run back to back)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    _token_thread().put(_Job(fn, args, future, loop))
    return await future


def call_blocking(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` on the token thread and wait (for synchronous set-up code)."""
    future: Future[T] = Future()
    _token_thread().put(_Job(fn, args, future, None))
    return future.result()
