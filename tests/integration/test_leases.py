"""Leases give a named piece of work to one holder at a time, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from nsl.adapters.leases import SqlLeases, advisory_lock, lock_key
from nsl.core.clock import ManualClock


async def test_only_one_of_two_holders_acquires(database: Any) -> None:
    leases = SqlLeases(database, ManualClock())
    assert await leases.try_acquire("scheduler", "host-a", 30)
    assert not await leases.try_acquire("scheduler", "host-b", 30)
    assert await leases.holder("scheduler") == "host-a"


async def test_the_holder_renews_its_lease(database: Any) -> None:
    clock = ManualClock()
    leases = SqlLeases(database, clock)
    assert await leases.try_acquire("scheduler", "host-a", 30)
    clock.advance(20)
    assert await leases.try_acquire("scheduler", "host-a", 30)  # now valid until t=50
    clock.advance(20)
    assert not await leases.try_acquire("scheduler", "host-b", 30)
    assert await leases.holder("scheduler") == "host-a"


async def test_an_expired_lease_is_taken_over(database: Any) -> None:
    clock = ManualClock()
    leases = SqlLeases(database, clock)
    assert await leases.try_acquire("scheduler", "host-a", 30)
    clock.advance(30)
    assert await leases.holder("scheduler") is None
    assert await leases.try_acquire("scheduler", "host-b", 30)
    assert not await leases.try_acquire("scheduler", "host-a", 30)
    assert await leases.holder("scheduler") == "host-b"


async def test_release_frees_the_lease_only_for_its_holder(database: Any) -> None:
    leases = SqlLeases(database, ManualClock())
    assert await leases.try_acquire("scheduler", "host-a", 30)
    await leases.release("scheduler", "host-b")
    assert not await leases.try_acquire("scheduler", "host-b", 30)
    await leases.release("scheduler", "host-a")
    assert await leases.try_acquire("scheduler", "host-b", 30)


async def test_leases_are_independent_by_name(database: Any) -> None:
    leases = SqlLeases(database, ManualClock())
    assert await leases.try_acquire("a", "host-a", 30)
    assert await leases.try_acquire("b", "host-b", 30)


async def test_concurrent_attempts_have_exactly_one_winner(database: Any) -> None:
    leases = SqlLeases(database, ManualClock())
    outcomes = await asyncio.gather(
        *(leases.try_acquire("job", f"host-{i}", 30) for i in range(10))
    )
    assert outcomes.count(True) == 1
    winner = f"host-{outcomes.index(True)}"
    assert await leases.holder("job") == winner


async def test_concurrent_takeovers_of_an_expired_lease_have_one_winner(database: Any) -> None:
    clock = ManualClock()
    leases = SqlLeases(database, clock)
    assert await leases.try_acquire("job", "old-host", 30)
    clock.advance(31)
    outcomes = await asyncio.gather(
        *(leases.try_acquire("job", f"host-{i}", 30) for i in range(10))
    )
    assert outcomes.count(True) == 1


async def test_a_non_positive_ttl_is_refused(database: Any) -> None:
    with pytest.raises(ValueError):
        await SqlLeases(database, ManualClock()).try_acquire("job", "h", 0)


async def test_advisory_lock_is_exclusive_until_the_transaction_ends(database: Any) -> None:
    if database.dialect != "postgresql":
        async with database.session() as session:
            with pytest.raises(ValueError):
                async with advisory_lock(session, "migrate"):
                    pass
        return
    async with database.session() as first, advisory_lock(first, "reindex") as got_first:
        assert got_first
        async with database.session() as second:
            async with advisory_lock(second, "reindex") as got_second:
                assert not got_second
            async with advisory_lock(second, "other-name") as got_other:
                assert got_other
    async with database.session() as third, advisory_lock(third, "reindex") as got_again:
        assert got_again


def test_lock_keys_are_stable_signed_64_bit_integers() -> None:
    key = lock_key("reindex")
    assert key == -5367277994229086907  # other processes and releases must compute the same
    assert key != lock_key("reindex2")
    assert -(2**63) <= key < 2**63
