"""Input rules shared by the use cases: names, methods, base64, paging and block ranges.

Every failure is a 400 (``contracts.invalid_input``) naming the field and the rule.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from nsl.core.chain import NEO_N3
from nsl.core.names import name_problem
from nsl.services.contracts.errors import InvalidInput

NAME_MAX = 128
METHOD_MAX = 256
PAGE_SIZE_MAX = 500
MAX_BLOCK_SPAN = 10_000  # blocks one events request may scan
DEFAULT_BLOCK_SPAN = 1_000  # the latest blocks scanned when no range is given


def name(value: str | None) -> str | None:
    if value is None:
        return None
    problem = name_problem(value, NAME_MAX)
    if problem is not None:
        raise InvalidInput.on("name", "format", problem)
    return value


def method(value: str, chain: str) -> str:
    if not 1 <= len(value) <= METHOD_MAX or not value.isprintable() or value.strip() != value:
        raise InvalidInput.on("method", "format", f"1-{METHOD_MAX} printable characters")
    if chain == NEO_N3 and value.startswith("_"):
        raise InvalidInput.on("method", "public", "Neo N3 methods starting with '_' are internal")
    return value


def base64_bytes(value: str, field: str, max_bytes: int) -> bytes:
    """Bytes from standard or URL-safe base64 (padding optional), at most ``max_bytes``."""
    if len(value) > (max_bytes * 4) // 3 + 4:
        raise InvalidInput.on(field, "length", f"at most {max_bytes} bytes")
    text = value.replace("-", "+").replace("_", "/")
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput.on(field, "base64", "must be base64") from None
    if len(data) > max_bytes:
        raise InvalidInput.on(field, "length", f"at most {max_bytes} bytes")
    return data


def paging(page: int, page_size: int) -> tuple[int, int]:
    if page < 1:
        raise InvalidInput.on("page", "range", "pages start at 1")
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        raise InvalidInput.on("page_size", "range", f"between 1 and {PAGE_SIZE_MAX}")
    return page, page_size


@dataclass(frozen=True)
class BlockRange:
    start: int
    end: int


def block_range(from_block: int | None, to_block: int | None, tip: int) -> BlockRange:
    """Inclusive blocks to scan: at most ``MAX_BLOCK_SPAN``, never past the chain's tip.

    ``tip`` is the latest block's number. Omitted ``to_block`` means the tip; omitted
    ``from_block`` means the ``DEFAULT_BLOCK_SPAN`` blocks ending at ``to_block``."""
    end = tip if to_block is None else to_block
    if end < 0:
        raise InvalidInput.on("to_block", "range", "must not be negative")
    if end > tip:
        raise InvalidInput.on("to_block", "range", f"the chain's latest block is {tip}")
    start = max(end - DEFAULT_BLOCK_SPAN + 1, 0) if from_block is None else from_block
    if start < 0:
        raise InvalidInput.on("from_block", "range", "must not be negative")
    if start > end:
        raise InvalidInput.on("from_block", "order", f"must not be after to_block ({end})")
    if end - start + 1 > MAX_BLOCK_SPAN:
        raise InvalidInput.on(
            "to_block", "span", f"at most {MAX_BLOCK_SPAN} blocks per request (from_block..)"
        )
    return BlockRange(start, end)
