"""The audit trail contract: who did what to which key, secret or request, and how it ended.

An entry carries a hash of the data involved, never the data. Entries are hash-chained by the
implementation (``nsl.adapters.audit``); :meth:`AuditTrail.record` returns once the entry is
durable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class AuditEntry:
    actor: str  # principal id
    service: str  # e.g. "keys"
    action: str  # e.g. "sign"
    target: str  # e.g. "key/01J.../v2", "secret/app/db"
    outcome: str = "ok"  # "ok" or the error code
    data_hash: str | None = None  # data_digest() of the payload, never the payload
    details: Mapping[str, Any] = field(default_factory=dict)  # small, non-secret facts


class AuditTrail(Protocol):
    async def record(self, entry: AuditEntry) -> None:
        """Append ``entry``; returns when it is durable (batched with concurrent entries)."""
        ...


def data_digest(data: bytes) -> str:
    """What an audit entry keeps of a payload: ``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()
