"""Nonces per sender: one transaction at a time from a key gets its nonce, is signed and sent.

The next nonce is the node's pending count, or one past the last nonce this process sent when
that is higher (a load-balanced endpoint may not have seen our last transaction yet).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

MAX_REMEMBERED = 10_000


class NonceKeeper:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._holders: dict[str, int] = {}
        self._next: OrderedDict[str, int] = OrderedDict()

    @asynccontextmanager
    async def hold(self, sender: str) -> AsyncIterator[None]:
        """Serialise nonce use for ``sender`` (its lock lives only while someone holds it)."""
        lock = self._locks.setdefault(sender, asyncio.Lock())
        self._holders[sender] = self._holders.get(sender, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._holders[sender] -= 1
            if not self._holders[sender]:
                del self._holders[sender]
                del self._locks[sender]

    def next_nonce(self, sender: str, pending_count: int) -> int:
        return max(pending_count, self._next.get(sender, 0))

    def sent(self, sender: str, nonce: int) -> None:
        self._next[sender] = nonce + 1
        self._next.move_to_end(sender)
        while len(self._next) > MAX_REMEMBERED:
            self._next.popitem(last=False)

    def forget(self, sender: str) -> None:
        """Trust the node again (after a rejection, or a transaction that never landed)."""
        self._next.pop(sender, None)
