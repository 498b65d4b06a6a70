"""ABI values ↔ JSON: arguments from JSON for eth_abi, and decoded values back to JSON.

JSON side: integers as decimal strings (``int`` or ``0x`` hex accepted in), bytes as ``0x`` hex,
addresses in EIP-55 spelling, tuples as lists.
"""

from __future__ import annotations

from typing import Any

from eth_abi.abi import decode, encode
from eth_abi.grammar import ABIType, BasicType, TupleType, parse

from nsl.chains.neo_x.accounts import checksum_address, parse_address, to_checksum
from nsl.core.chain import StackItem
from nsl.core.errors import ValidationFailed

MAX_INT_TEXT = 80


def _bad(field: str, rule: str, message: str) -> ValidationFailed:
    return ValidationFailed.on(field, rule, message)


def _integer(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise _bad(field, "integer", "must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and len(value) <= MAX_INT_TEXT:
        text = value.strip()
        negative = text.startswith("-")
        body = text[1:] if negative else text
        if body[:2] in ("0x", "0X") and len(body) > 2:
            try:
                return -int(body[2:], 16) if negative else int(body[2:], 16)
            except ValueError:
                pass
        elif body.isascii() and body.isdigit():
            return -int(body) if negative else int(body)
    raise _bad(field, "integer", "must be an integer, a decimal string or 0x hex")


def _hex(value: Any, field: str) -> bytes:
    if isinstance(value, str) and value[:2] in ("0x", "0X") and len(value) % 2 == 0:
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    raise _bad(field, "hex_bytes", "must be 0x-prefixed hex with an even number of digits")


def _basic(kind: BasicType, value: Any, field: str) -> Any:
    base, sub = kind.base, kind.sub
    if base in ("uint", "int"):
        number = _integer(value, field)
        bits = int(sub) if isinstance(sub, int) else 256
        low, high = (
            (0, 2**bits - 1) if base == "uint" else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        )
        if not low <= number <= high:
            raise _bad(field, "range", f"must fit {base}{bits} ({low} to {high})")
        return number
    if base == "address":
        return parse_address(value, field)
    if base == "bool":
        if not isinstance(value, bool):
            raise _bad(field, "boolean", "must be true or false")
        return value
    if base == "string":
        if not isinstance(value, str):
            raise _bad(field, "string", "must be a string")
        return value
    if base == "bytes":
        data = _hex(value, field)
        if isinstance(sub, int) and len(data) != sub:
            raise _bad(field, "length", f"must be exactly {sub} bytes")
        return data
    raise _bad(field, "abi_type", f"{base}{sub or ''} arguments are not supported")


def _convert(kind: ABIType, value: Any, field: str) -> Any:
    if kind.is_array:
        if not isinstance(value, list):
            raise _bad(field, "array", "must be a JSON array")
        size = kind.arrlist[-1] if kind.arrlist else None
        if size and len(value) != size[0]:
            raise _bad(field, "length", f"must have exactly {size[0]} items")
        return [_convert(kind.item_type, v, f"{field}[{i}]") for i, v in enumerate(value)]
    if isinstance(kind, TupleType):
        return tuple(_convert_tuple(kind, value, field))
    assert isinstance(kind, BasicType)
    return _basic(kind, value, field)


def _convert_tuple(kind: TupleType, value: Any, field: str) -> list[Any]:
    if not isinstance(value, list) or len(value) != len(kind.components):
        raise _bad(field, "tuple", f"must be a list of {len(kind.components)} values")
    pairs = enumerate(zip(kind.components, value, strict=True))
    return [_convert(c, v, f"{field}[{i}]") for i, (c, v) in pairs]


def to_python(type_str: str, value: Any, field: str) -> Any:
    """A JSON argument as the Python value eth_abi encodes for ``type_str`` (canonical type)."""
    return _convert(parse(type_str), value, field)


def encode_args(types: list[str], args: list[Any], field: str = "args") -> bytes:
    """ABI encoding of ``args`` (JSON values) for ``types``; errors name ``args[i]``."""
    if len(types) != len(args):
        raise _bad(field, "arity", f"expected {len(types)} arguments, got {len(args)}")
    pairs = enumerate(zip(types, args, strict=True))
    values = [to_python(t, a, f"{field}[{i}]") for i, (t, a) in pairs]
    return encode(types, values)


def to_json(kind: ABIType, value: Any) -> Any:
    """A decoded eth_abi value as JSON (ints as decimal strings, bytes as hex, EIP-55)."""
    if kind.is_array:
        return [to_json(kind.item_type, v) for v in value]
    if isinstance(kind, TupleType):
        return [to_json(c, v) for c, v in zip(kind.components, value, strict=True)]
    base = kind.base if isinstance(kind, BasicType) else ""
    if base == "address":
        return checksum_address(value) if isinstance(value, bytes) else to_checksum(str(value))
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def _text(value: Any) -> str | None:
    if not isinstance(value, bytes) or not value:
        return None
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.isprintable() else None


def decode_values(types: list[str], data: bytes) -> list[StackItem]:
    """ABI-decoded ``data`` as one StackItem per type (``text`` for printable bytes)."""
    pairs = zip(types, decode(types, data), strict=True)
    return [StackItem(type=t, value=to_json(parse(t), v), text=_text(v)) for t, v in pairs]
