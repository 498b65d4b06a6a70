"""Daily slots (missed slots are caught up) and coalescing of configuration-change bursts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from nsl.services.backup.coalesce import Coalescer
from nsl.services.backup.schedule import due, latest_slot


def test_latest_slot_is_today_after_the_time_and_yesterday_before() -> None:
    assert latest_slot(datetime(2026, 5, 2, 3, 0, tzinfo=UTC), "02:00") == datetime(
        2026, 5, 2, 2, 0, tzinfo=UTC
    )
    assert latest_slot(datetime(2026, 5, 2, 1, 59, tzinfo=UTC), "02:00") == datetime(
        2026, 5, 1, 2, 0, tzinfo=UTC
    )


def test_due_when_no_run_since_the_latest_slot() -> None:
    now = datetime(2026, 5, 2, 9, 0, tzinfo=UTC)
    assert due(None, now, "02:00")
    assert due(datetime(2026, 5, 2, 1, 0, tzinfo=UTC), now, "02:00")  # missed: catch up
    assert not due(datetime(2026, 5, 2, 2, 5, tzinfo=UTC), now, "02:00")


async def test_a_burst_shares_one_run_and_later_requests_get_a_new_one() -> None:
    runs = 0
    gate, started = asyncio.Event(), asyncio.Event()

    async def run() -> None:
        nonlocal runs
        runs += 1
        started.set()
        await gate.wait()

    coalescer = Coalescer(run, window_s=0)
    first = [asyncio.create_task(coalescer.request()) for _ in range(10)]
    await started.wait()  # the run has started and is blocked on the gate
    late = asyncio.create_task(coalescer.request())  # after the start: needs another run
    gate.set()
    await asyncio.gather(*first, late)
    assert runs == 2


async def test_the_error_of_a_run_reaches_every_waiter() -> None:
    async def run() -> None:
        raise RuntimeError("target down")

    coalescer = Coalescer(run, window_s=0)
    results = await asyncio.gather(coalescer.request(), coalescer.request(), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    with pytest.raises(RuntimeError):
        await coalescer.request()
