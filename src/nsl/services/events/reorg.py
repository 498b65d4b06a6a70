"""Reorg detection: compare remembered block hashes with the chain, newest first.

Blocks form a hash chain, so the newest remembered block still on the chain vouches for every
older one: the walk stops there (the fork point). Every remembered block above it was orphaned.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class WalkBack:
    """``fork_point``: the newest remembered block still on the chain (``None``: none is, the
    reorg is deeper than the memory); ``orphaned``: remembered blocks no longer on it."""

    fork_point: int | None
    orphaned: tuple[int, ...]

    @property
    def reorged(self) -> bool:
        return bool(self.orphaned)

    def rescan_from(self) -> int:
        """The first block to scan again (deep reorg: from the oldest orphaned block)."""
        if self.fork_point is not None:
            return self.fork_point + 1
        return min(self.orphaned)


async def walk_back(
    remembered: Sequence[tuple[int, str]],
    height: int,
    hash_at: Callable[[int], Awaitable[str]],
) -> WalkBack:
    """Walk ``remembered`` (block number, hash) from the newest down until one matches
    ``hash_at(number)``; blocks above ``height`` (a shorter chain now) are orphaned unasked."""
    orphaned: list[int] = []
    for number, known in sorted(remembered, reverse=True):
        if number <= height and same_hash(await hash_at(number), known):
            return WalkBack(number, tuple(orphaned))
        orphaned.append(number)
    return WalkBack(None, tuple(orphaned))


def same_hash(a: str, b: str) -> bool:
    return a.lower().removeprefix("0x") == b.lower().removeprefix("0x")
