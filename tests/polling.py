"""Wait for an outcome by polling with a deadline (tests never sleep a fixed time)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def eventually(
    predicate: Callable[[], bool | Awaitable[bool]], within: float = 5.0, interval: float = 0.01
) -> None:
    """Return once ``predicate()`` is true; fail the test after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        outcome = predicate()
        if not isinstance(outcome, bool):
            outcome = await outcome
        if outcome:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition still false after {within} s")
        await asyncio.sleep(interval)
