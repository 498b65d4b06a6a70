"""Reorg walk-back on plain data: the fork point is the newest remembered block still on chain."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nsl.services.events.reorg import WalkBack, same_hash, walk_back


def chain_of(hashes: dict[int, str]) -> tuple[Callable[[int], Awaitable[str]], list[int]]:
    asked: list[int] = []

    async def hash_at(number: int) -> str:
        asked.append(number)
        return hashes[number]

    return hash_at, asked


async def test_no_reorg_costs_one_lookup() -> None:
    remembered = [(10, "0xa10"), (11, "0xa11"), (12, "0xa12")]
    hash_at, asked = chain_of({10: "0xa10", 11: "0xa11", 12: "0xa12"})
    walk = await walk_back(remembered, 12, hash_at)
    assert walk == WalkBack(12, ()) and not walk.reorged
    assert asked == [12]


async def test_walks_back_to_the_fork_point() -> None:
    remembered = [(10, "0xa10"), (11, "0xa11"), (12, "0xa12"), (13, "0xa13")]
    hash_at, asked = chain_of({10: "0xa10", 11: "0xa11", 12: "0xb12", 13: "0xb13"})
    walk = await walk_back(remembered, 13, hash_at)
    assert walk.fork_point == 11 and walk.orphaned == (13, 12)
    assert walk.reorged and walk.rescan_from() == 12
    assert asked == [13, 12, 11]


async def test_blocks_above_a_shorter_chain_are_orphaned_without_asking() -> None:
    remembered = [(20, "0xa20"), (21, "0xa21"), (22, "0xa22")]
    hash_at, asked = chain_of({20: "0xa20"})  # evm_revert: the chain is back at 20
    walk = await walk_back(remembered, 20, hash_at)
    assert walk.fork_point == 20 and walk.orphaned == (22, 21)
    assert asked == [20]


async def test_reorg_deeper_than_memory_rescans_from_the_oldest_remembered() -> None:
    remembered = [(5, "0xa5"), (6, "0xa6")]
    hash_at, _ = chain_of({5: "0xb5", 6: "0xb6"})
    walk = await walk_back(remembered, 6, hash_at)
    assert walk.fork_point is None and walk.orphaned == (6, 5)
    assert walk.rescan_from() == 5


async def test_gaps_between_remembered_blocks_are_fine() -> None:
    remembered = [(3, "0xa3"), (9, "0xa9"), (40, "0xa40")]
    hash_at, _ = chain_of({3: "0xa3", 9: "0xa9", 40: "0xb40"})
    walk = await walk_back(remembered, 50, hash_at)
    assert walk.fork_point == 9 and walk.orphaned == (40,)


def test_hashes_compare_without_prefix_or_case() -> None:
    assert same_hash("0xABcd", "abcd")
    assert not same_hash("0xabce", "0xabcd")
