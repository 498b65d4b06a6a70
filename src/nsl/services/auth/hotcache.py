"""The hot-path cache: API-key lookups by key hash and principal state by id.

Entries live ``auth.api_key_cache_s`` seconds; any change to a key or principal deletes them,
and a cache delete reaches every process. Keys carry a format version so that processes of
two releases never read each other's entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cached_property

import orjson

from nsl.core.ports import Cache
from nsl.core.security import Principal, Role

NAMESPACE = "auth:v1:"
DECODED_MAX = 10_000


@dataclass(frozen=True)
class CachedKey:
    """What authenticating an API key yields, minus the per-request checks."""

    key_id: str
    principal_id: str
    name: str
    kind: str
    roles: list[str]
    expires_at: float | None

    @cached_property
    def principal(self) -> Principal:
        """The caller this key authenticates (built once per decoded entry)."""
        return Principal(
            id=self.principal_id,
            name=self.name,
            kind=self.kind,
            roles=frozenset(Role(r) for r in self.roles),
            method="api_key",
            credential_id=self.key_id,
        )


@dataclass(frozen=True)
class PrincipalState:
    """What a bearer token is checked against: still enabled, and the same token version."""

    disabled: bool
    version: int


def key_entry(key_hash: str) -> str:
    return f"{NAMESPACE}key:{key_hash}"


def state_entry(principal_id: str) -> str:
    return f"{NAMESPACE}principal:{principal_id}"


class HotCache:
    """Typed access to the shared cache for the two hot-path lookups."""

    def __init__(self, cache: Cache, ttl_s: float) -> None:
        self._cache = cache
        self._ttl_s = ttl_s
        # Decoded entries by their exact bytes: a hit costs a dict look-up, not a JSON parse.
        self._decoded: dict[bytes, CachedKey] = {}

    @property
    def enabled(self) -> bool:
        return self._ttl_s > 0

    async def key(self, key_hash: str) -> CachedKey | None:
        if not self.enabled:
            return None
        raw = await self._cache.get(key_entry(key_hash))
        if raw is None:
            return None
        entry = self._decoded.get(raw)
        if entry is None:
            if len(self._decoded) >= DECODED_MAX:
                self._decoded.clear()
            entry = self._decoded[raw] = CachedKey(**orjson.loads(raw))
        return entry

    async def key_token(self, key_hash: str) -> str:
        """Take before loading a key from the database; pass to :meth:`fill_key`."""
        return await self._cache.fill_token(key_entry(key_hash)) if self.enabled else ""

    async def fill_key(self, key_hash: str, entry: CachedKey, token: str) -> None:
        """Cache a loaded key unless it was revoked or changed (anywhere) since the token."""
        if self.enabled:
            raw = orjson.dumps(asdict(entry))
            await self._cache.fill(key_entry(key_hash), raw, token, self._ttl_s)

    async def state(self, principal_id: str) -> PrincipalState | None:
        if not self.enabled:
            return None
        raw = await self._cache.get(state_entry(principal_id))
        return PrincipalState(**orjson.loads(raw)) if raw is not None else None

    async def state_token(self, principal_id: str) -> str:
        return await self._cache.fill_token(state_entry(principal_id)) if self.enabled else ""

    async def fill_state(self, principal_id: str, state: PrincipalState, token: str) -> None:
        if self.enabled:
            raw = orjson.dumps(asdict(state))
            await self._cache.fill(state_entry(principal_id), raw, token, self._ttl_s)

    async def forget(self, principal_id: str | None, key_hashes: Iterable[str] = ()) -> None:
        """Drop a principal's state and the given keys' entries, in every process."""
        entries = [key_entry(h) for h in key_hashes]
        if principal_id is not None:
            entries.append(state_entry(principal_id))
        if entries:
            await self._cache.delete(*entries)


def failures_entry(name_hash: str) -> str:
    return f"{NAMESPACE}login-failures:{name_hash}"


class NameFailures:
    """Failed sign-ins for names that do not exist, so they lock exactly like real ones."""

    def __init__(self, cache: Cache, ttl_s: float) -> None:
        self._cache = cache
        self._ttl_s = ttl_s

    async def count(self, name_hash: str) -> int:
        raw = await self._cache.get(failures_entry(name_hash))
        return int(raw) if raw is not None else 0

    async def record(self, name_hash: str, count: int) -> None:
        await self._cache.set(failures_entry(name_hash), str(count).encode("ascii"), self._ttl_s)
