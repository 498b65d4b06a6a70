"""Recursive Length Prefix (Ethereum yellow paper, appendix B): encode, and a strict decoder.

The decoder accepts only canonical encodings (shortest length prefixes, single bytes below
0x80 unwrapped, no trailing data) and raises ``ValidationFailed`` on anything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from nsl.core.errors import ValidationFailed

Item: TypeAlias = bytes | bytearray | int | Sequence["Item"]
Decoded: TypeAlias = bytes | list["Decoded"]

MAX_DEPTH = 64


def _length_prefix(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes([offset + length])
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(size)]) + size


def encode_uint(value: int) -> bytes:
    """A non-negative integer as big-endian bytes without leading zeros (0 → empty)."""
    if value < 0:
        raise ValueError("RLP cannot encode a negative integer")
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def encode(item: Item) -> bytes:
    """RLP of bytes, a non-negative int (big-endian, minimal) or a (nested) sequence of them."""
    if isinstance(item, bool):
        raise TypeError("RLP has no booleans")
    if isinstance(item, int):
        item = encode_uint(item)
    if isinstance(item, bytes | bytearray):
        if len(item) == 1 and item[0] < 0x80:
            return bytes(item)
        return _length_prefix(len(item), 0x80) + bytes(item)
    if isinstance(item, Sequence) and not isinstance(item, str):
        payload = b"".join(encode(element) for element in item)
        return _length_prefix(len(payload), 0xC0) + payload
    raise TypeError(f"RLP cannot encode {type(item).__name__}")


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.on(field, "rlp", message)


def _header(data: bytes, pos: int, field: str) -> tuple[bool, int, int]:
    """(is_list, payload start, payload end) of the item at ``pos``."""
    first = data[pos]
    if first < 0x80:
        return False, pos, pos + 1
    is_list = first >= 0xC0
    short = first - (0xC0 if is_list else 0x80)
    if short <= 55:
        start, length = pos + 1, short
        if not is_list and length == 1 and start < len(data) and data[start] < 0x80:
            raise _fail(field, "single byte below 0x80 must not carry a length prefix")
    else:
        size = short - 55
        start = pos + 1 + size
        if start > len(data):
            raise _fail(field, "length prefix runs past the end of the data")
        size_bytes = data[pos + 1 : start]
        if size_bytes[0] == 0:
            raise _fail(field, "length has leading zero bytes")
        length = int.from_bytes(size_bytes, "big")
        if length < 56:
            raise _fail(field, "long form used for a length below 56")
    end = start + length
    if end > len(data):
        raise _fail(field, "item runs past the end of the data")
    return is_list, start, end


def _decode_at(data: bytes, pos: int, field: str, depth: int) -> tuple[Decoded, int]:
    if depth > MAX_DEPTH:
        raise _fail(field, f"lists nested deeper than {MAX_DEPTH}")
    is_list, start, end = _header(data, pos, field)
    if not is_list:
        return data[start:end], end
    items: list[Decoded] = []
    cursor = start
    while cursor < end:
        item, cursor = _decode_at(data, cursor, field, depth + 1)
        if cursor > end:
            raise _fail(field, "list element runs past the end of its list")
        items.append(item)
    return items, end


def decode(data: bytes, field: str = "rlp") -> Decoded:
    """The single item ``data`` encodes; ValidationFailed naming ``field`` if malformed."""
    data = bytes(data)
    if not data:
        raise _fail(field, "empty input")
    item, end = _decode_at(data, 0, field, 0)
    if end != len(data):
        raise _fail(field, "trailing bytes after the item")
    return item


def decode_uint(item: Decoded, field: str, bits: int = 256) -> int:
    """A canonical RLP integer (no leading zeros) of at most ``bits`` bits."""
    if not isinstance(item, bytes):
        raise ValidationFailed.on(field, "rlp_integer", "expected an integer, found a list")
    if item[:1] == b"\x00":
        raise ValidationFailed.on(field, "rlp_integer", "integer has leading zero bytes")
    if len(item) * 8 > bits:
        raise ValidationFailed.on(field, "range", f"integer wider than {bits} bits")
    return int.from_bytes(item, "big")
