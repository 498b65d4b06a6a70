"""The cached form of a key: what every crypto operation needs, serialized for ``ctx.cache``.

Status, policy and each version's enclave reference and public key; never counters (they
change on every use) and nothing secret (an enclave reference is useless outside the enclave).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from nsl.core.enclave import KeyType
from nsl.services.keys.models import KeyRow, VersionRow

CACHE_VERSION = 1


def cache_key(key_id: str) -> str:
    return f"keys:key:v{CACHE_VERSION}:{key_id}"


@dataclass(frozen=True)
class VersionInfo:
    version: int
    ref: str
    public_key: bytes
    destroyed: bool


@dataclass(frozen=True)
class KeyRecord:
    id: str
    owner_id: str
    key_type: KeyType
    usages: frozenset[str]
    exportable: bool
    status: str
    expires_at: float | None  # POSIX seconds
    current_version: int
    min_verify_version: int
    rate_limit: int | None
    versions: dict[int, VersionInfo]

    @property
    def current(self) -> VersionInfo:
        return self.versions[self.current_version]

    def verifying_versions(self) -> list[VersionInfo]:
        """Versions a verify without ``key_version`` tries: usable, newest first."""
        return [
            v
            for n, v in sorted(self.versions.items(), reverse=True)
            if n >= self.min_verify_version and not v.destroyed
        ]

    def retired_versions(self) -> list[VersionInfo]:
        """Versions below ``min_verify_version`` not yet destroyed, newest first."""
        return [
            v
            for n, v in sorted(self.versions.items(), reverse=True)
            if n < self.min_verify_version and not v.destroyed
        ]

    @classmethod
    def of(cls, row: KeyRow, versions: Sequence[VersionRow]) -> KeyRecord:
        return cls(
            id=row.id,
            owner_id=row.owner_id,
            key_type=KeyType(row.key_type),
            usages=frozenset(row.usages),
            exportable=row.exportable,
            status=row.status,
            expires_at=row.expires_at.timestamp() if row.expires_at else None,
            current_version=row.current_version,
            min_verify_version=row.min_verify_version,
            rate_limit=row.rate_limit_per_minute,
            versions={
                v.version: VersionInfo(v.version, v.enclave_ref, v.public_key, v.destroyed)
                for v in versions
            },
        )

    def dumps(self) -> bytes:
        return orjson.dumps(
            {
                "id": self.id,
                "owner_id": self.owner_id,
                "key_type": self.key_type.value,
                "usages": sorted(self.usages),
                "exportable": self.exportable,
                "status": self.status,
                "expires_at": self.expires_at,
                "current_version": self.current_version,
                "min_verify_version": self.min_verify_version,
                "rate_limit": self.rate_limit,
                "versions": [
                    [v.version, v.ref, v.public_key.hex(), v.destroyed]
                    for v in self.versions.values()
                ],
            }
        )

    @classmethod
    def loads(cls, raw: bytes) -> KeyRecord:
        data = orjson.loads(raw)
        versions = {
            n: VersionInfo(n, ref, bytes.fromhex(pub), destroyed)
            for n, ref, pub, destroyed in data["versions"]
        }
        return cls(
            id=data["id"],
            owner_id=data["owner_id"],
            key_type=KeyType(data["key_type"]),
            usages=frozenset(data["usages"]),
            exportable=data["exportable"],
            status=data["status"],
            expires_at=data["expires_at"],
            current_version=data["current_version"],
            min_verify_version=data["min_verify_version"],
            rate_limit=data["rate_limit"],
            versions=versions,
        )


class ParsedRecords:
    """Parsed records by the cached bytes they came from: a cache hit that returns the same
    bytes object skips parsing. Bounded; cleared wholesale when full."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._parsed: dict[str, tuple[bytes, KeyRecord]] = {}

    def parse(self, key_id: str, raw: bytes) -> KeyRecord:
        known = self._parsed.get(key_id)
        if known is not None and known[0] is raw:
            return known[1]
        record = KeyRecord.loads(raw)
        if len(self._parsed) >= self.max_entries:
            self._parsed.clear()
        self._parsed[key_id] = (raw, record)
        return record
