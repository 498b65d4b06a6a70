"""What the API returns for a key and its versions, with each version's chain addresses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nsl.chains.neo_n3.accounts import address, script_hash_hex
from nsl.chains.neo_x.accounts import evm_address
from nsl.core.enclave import KeyType
from nsl.services.keys.models import KeyRow, VersionRow
from nsl.services.keys.usage import Tally


def addresses(key_type: str, public_key: bytes) -> dict[str, str]:
    """Neo N3 address and script hash of a secp256r1 key; EIP-55 address of a secp256k1 key."""
    if key_type == KeyType.SECP256R1:
        return {"neo_address": address(public_key), "script_hash": script_hash_hex(public_key)}
    if key_type == KeyType.SECP256K1:
        return {"evm_address": evm_address(public_key)}
    return {}


def version_view(key_type: str, row: VersionRow) -> dict[str, Any]:
    return {
        "version": row.version,
        "public_key": row.public_key.hex(),
        **addresses(key_type, row.public_key),
        "created_at": row.created_at,
        "destroyed": row.destroyed,
    }


def key_view(
    row: KeyRow, versions: Sequence[VersionRow], default_rate_limit: int, pending: Tally | None
) -> dict[str, Any]:
    """The key as stored, plus this process's uses not yet flushed to the counters."""
    current = next(v for v in versions if v.version == row.current_version)
    counts = {c: getattr(row, f"{c}_count") for c in ("sign", "verify", "encrypt", "decrypt")}
    last_used = row.last_used_at
    if pending is not None:
        counts = {c: n + pending.counts[c] for c, n in counts.items()}
        if pending.last_used is not None and (last_used is None or pending.last_used > last_used):
            last_used = pending.last_used
    return {
        "key_id": row.id,
        "name": row.name,
        "key_type": row.key_type,
        "version": row.current_version,
        "public_key": current.public_key.hex(),
        **addresses(row.key_type, current.public_key),
        "usages": row.usages,
        "exportable": row.exportable,
        "status": row.status,
        "revoked_reason": row.revoked_reason,
        "revoked_at": row.revoked_at,
        "expires_at": row.expires_at,
        "deleted_at": row.deleted_at,
        "destroy_at": row.destroy_at,
        "min_verify_version": row.min_verify_version,
        "rotation_period_days": row.rotation_period_days,
        "next_rotation_at": row.next_rotation_at,
        "rate_limit_per_minute": row.rate_limit_per_minute or default_rate_limit,
        "usage": {**counts, "last_used_at": last_used},
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "versions": [version_view(row.key_type, v) for v in versions],
    }


def page(items: list[dict[str, Any]], total: int, number: int, size: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": number, "page_size": size}
