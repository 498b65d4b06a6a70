"""Read views: what the API returns for a request, a page of requests, and the VRF keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nsl.services.randomness.models import RandomnessRequest
from nsl.services.randomness.vrfkeys import VrfKey


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def request_view(row: RandomnessRequest) -> dict[str, Any]:
    """A request; ``beta``, ``proof`` and ``values`` are null until it is fulfilled."""
    return {
        "request_id": row.request_id,
        "status": row.status,
        "suite": row.suite,
        "alpha": row.alpha.hex(),
        "count": row.count,
        "min": int(row.min_value),
        "max": int(row.max_value),
        "public_key": row.public_key.hex(),
        "beta": None if row.beta is None else row.beta.hex(),
        "proof": None if row.proof is None else row.proof.hex(),
        "values": row.values,
        "error": row.error,
        "created_at": _time(row.created_at),
        "fulfilled_at": _time(row.fulfilled_at),
    }


def key_view(key: VrfKey) -> dict[str, Any]:
    return {
        "suite": key.suite,
        "public_key": key.public_key.hex(),
        "created_at": _time(key.created_at),
    }


def page(items: list[dict[str, Any]], total: int, number: int, size: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": number, "page_size": size}
