"""Concurrent loads of one key run once; failures reach every waiter; later calls load again."""

from __future__ import annotations

import asyncio

import pytest

from nsl.core.singleflight import SingleFlight


async def test_concurrent_callers_share_one_load() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    release = asyncio.Event()
    loads = 0

    async def load() -> int:
        nonlocal loads
        loads += 1
        await release.wait()
        return 42

    waiters = [asyncio.create_task(flights.run("k", load)) for _ in range(10)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*waiters) == [42] * 10
    assert loads == 1
    assert await flights.run("k", load) == 42
    assert loads == 2


async def test_a_failure_reaches_every_waiter_and_is_not_remembered() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    release = asyncio.Event()

    async def failing() -> int:
        await release.wait()
        raise LookupError("missing")

    waiters = [asyncio.create_task(flights.run("k", failing)) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(r, LookupError) for r in results)

    async def working() -> int:
        return 7

    assert await flights.run("k", working) == 7


async def test_different_keys_load_independently() -> None:
    flights: SingleFlight[str, str] = SingleFlight()

    async def echo(value: str) -> str:
        return value

    assert await asyncio.gather(
        flights.run("a", lambda: echo("a")), flights.run("b", lambda: echo("b"))
    ) == ["a", "b"]


async def test_leader_cancellation_cancels_followers() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    never = asyncio.Event()

    async def load() -> int:
        await never.wait()
        return 1

    leader = asyncio.create_task(flights.run("k", load))
    await asyncio.sleep(0)
    follower = asyncio.create_task(flights.run("k", load))
    await asyncio.sleep(0)
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await follower
