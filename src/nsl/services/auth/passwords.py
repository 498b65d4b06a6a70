"""Password hashing with argon2id (argon2-cffi), run off the event loop.

Unknown names are checked against a dummy hash so a miss costs as long as a wrong password.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher, Type
from argon2.exceptions import VerifyMismatchError

MAX_PASSWORD_CHARS = 1024


class Passwords:
    """Hashes and verifies passwords with argon2id (RFC 9106 low-memory profile by default)."""

    def __init__(
        self, time_cost: int = 3, memory_cost_kib: int = 65536, parallelism: int = 4
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism, type=Type.ID
        )
        self._dummy: str | None = None

    def __repr__(self) -> str:
        return "Passwords(argon2id)"

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; a missing hash still spends a verification."""
        if stored_hash is None or len(password) > MAX_PASSWORD_CHARS:
            if self._dummy is None:
                self._dummy = await self.hash("dummy password for timing only")
            await asyncio.to_thread(self._matches, self._dummy, password[:MAX_PASSWORD_CHARS])
            return False
        return await asyncio.to_thread(self._matches, stored_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    def _matches(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except VerifyMismatchError:
            return False
