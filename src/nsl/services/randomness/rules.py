"""Input rules: hex fields, request ids, value ranges and paging, each failure naming its field."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nsl.enclave.ecvrf.values import MAX_COUNT, MAX_SPAN
from nsl.services.randomness.errors import InvalidInput

ALPHA_MAX_BYTES = 1024
REQUEST_ID_MAX = 128
BOUND = 2**256  # |min| and |max| at most this (stored as decimal text)
DEFAULT_MIN = 0
DEFAULT_MAX = 2**64 - 1
PAGE_SIZE_MAX = 500
STATUSES = ("pending", "fulfilled", "failed")
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
_RESERVED = frozenset({"keys", "verify"})


@dataclass(frozen=True)
class Draw:
    """How many values, in which inclusive range."""

    count: int
    low: int
    high: int


def hex_bytes(value: str, field: str, *, min_bytes: int, max_bytes: int) -> bytes:
    """Bytes from hex (an optional ``0x`` prefix is allowed) of a bounded length."""
    text = value[2:] if value[:2] in ("0x", "0X") else value
    if len(text) > 2 * max_bytes:
        raise InvalidInput.on(field, "length", f"at most {max_bytes} bytes")
    try:
        data = bytes.fromhex(text)
    except ValueError:
        raise InvalidInput.on(field, "hex", "must be an even number of hex digits") from None
    if len(data) < min_bytes:
        raise InvalidInput.on(field, "length", f"at least {min_bytes} byte(s)")
    return data


def request_id(value: str) -> str:
    if not 1 <= len(value) <= REQUEST_ID_MAX or not _REQUEST_ID.fullmatch(value):
        raise InvalidInput.on(
            "request_id",
            "format",
            f"1-{REQUEST_ID_MAX} characters of [A-Za-z0-9._:-], starting with a letter or digit",
        )
    if value in _RESERVED:
        raise InvalidInput.on("request_id", "reserved", f"{value!r} is a route name")
    return value


def draw(count: int, low: int, high: int) -> Draw:
    """A value request within the API's limits (count 1-1000, span at most 2**256)."""
    if not 1 <= count <= MAX_COUNT:
        raise InvalidInput.on("count", "range", f"between 1 and {MAX_COUNT}")
    if not -BOUND <= low <= BOUND:
        raise InvalidInput.on("min", "range", "between -2**256 and 2**256")
    if not -BOUND <= high <= BOUND:
        raise InvalidInput.on("max", "range", "between -2**256 and 2**256")
    if low > high:
        raise InvalidInput.on("max", "gte_min", "max must not be below min")
    if high - low + 1 > MAX_SPAN:
        raise InvalidInput.on("max", "span", "max - min + 1 must not exceed 2**256")
    return Draw(count, low, high)


def paging(page: int, page_size: int) -> tuple[int, int]:
    if page < 1:
        raise InvalidInput.on("page", "range", "pages start at 1")
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        raise InvalidInput.on("page_size", "range", f"between 1 and {PAGE_SIZE_MAX}")
    return page, page_size


def status(value: str | None) -> str | None:
    if value is not None and value not in STATUSES:
        raise InvalidInput.on("status", "allowed_values", f"one of {', '.join(STATUSES)}")
    return value
