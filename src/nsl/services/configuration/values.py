"""Values: any JSON, serialized compactly once; its size is the size of that serialization."""

from __future__ import annotations

import math
from typing import Any

import orjson

from nsl.core.errors import ValidationFailed

MASK = "********"


def serialize(value: Any, max_bytes: int, field: str = "value") -> bytes:
    """The value's compact JSON bytes, refusing what JSON cannot carry and what is too large."""
    _refuse_non_finite(value, field)
    try:
        data = orjson.dumps(value)
    except orjson.JSONEncodeError as exc:
        raise ValidationFailed.on(field, "json_value", f"not representable as JSON: {exc}") from exc
    if len(data) > max_bytes:
        raise ValidationFailed.on(
            field, "max_bytes", f"serialized value is {len(data)} bytes; the limit is {max_bytes}"
        )
    return data


def refuse_mask(value: Any, field: str = "value") -> None:
    """A secret equal to the mask came from a masked read: storing it would lose the secret."""
    if value == MASK:
        raise ValidationFailed.on(
            field,
            "masked_secret",
            "is the mask '********'; send the real value (export with reveal)",
        )


def _refuse_non_finite(value: Any, field: str) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ValidationFailed.on(field, "json_value", "NaN and Infinity are not JSON numbers")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
