"""Integers drawn from a VRF output without modulo bias: anyone holding beta can recompute them.

Algorithm (normative; see docs/decisions/0006-vrf-values.md):

1. ``span = high - low + 1`` (1 ≤ span ≤ 2**256). If span == 1 every value is ``low``.
2. ``n = ceil(bit_length(span - 1) / 8)`` bytes per candidate and
   ``limit = floor(256**n / span) * span`` (the largest multiple of span not above 256**n).
3. The byte stream is ``SHA-256(b"nsl-vrf-values" || beta || be32(0)) ||
   SHA-256(b"nsl-vrf-values" || beta || be32(1)) || ...`` (be32: 4-byte big-endian counter).
4. Read the stream n bytes at a time (chunks may straddle blocks) as big-endian integers v;
   reject v ≥ limit, otherwise emit ``low + (v mod span)``; stop after ``count`` values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from nsl.core.errors import ValidationFailed

VALUES_DOMAIN = b"nsl-vrf-values"
MAX_COUNT = 1000
MAX_SPAN = 2**256


def _stream(beta: bytes) -> Iterator[bytes]:
    for counter in range(2**32):
        yield hashlib.sha256(VALUES_DOMAIN + beta + counter.to_bytes(4, "big")).digest()
    raise RuntimeError("value stream exhausted")  # unreachable for count <= 1000


def _check(count: int, low: int, high: int) -> int:
    if isinstance(count, bool) or not isinstance(count, int):
        raise ValidationFailed.on("count", "type", "count must be an integer")
    if not 1 <= count <= MAX_COUNT:
        raise ValidationFailed.on("count", "range", f"count must be between 1 and {MAX_COUNT}")
    for field, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationFailed.on(field, "type", f"{field} must be an integer")
    if low > high:
        raise ValidationFailed.on("high", "gte_low", "high must not be below low")
    span = high - low + 1
    if span > MAX_SPAN:
        raise ValidationFailed.on("high", "span", "high - low + 1 must not exceed 2**256")
    return span


def draw_values(beta: bytes, count: int, low: int, high: int) -> list[int]:
    """``count`` integers uniform in [low, high], derived deterministically from ``beta``."""
    span = _check(count, low, high)
    if span == 1:
        return [low] * count
    width = ((span - 1).bit_length() + 7) // 8
    limit = (256**width // span) * span
    blocks = _stream(beta)
    buffer = b""
    out: list[int] = []
    while len(out) < count:
        while len(buffer) < width:
            buffer += next(blocks)
        candidate = int.from_bytes(buffer[:width], "big")
        buffer = buffer[width:]
        if candidate < limit:
            out.append(low + candidate % span)
    return out
