"""NeoVM stack items as the RPC returns them → :class:`StackItem` (integers as decimal strings,
bytes as hex plus ``text`` when they are printable UTF-8), and → plain values for event args.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from nsl.chains.endpoints import EndpointFailure
from nsl.core.chain import StackItem

BYTE_TYPES = frozenset({"ByteString", "Buffer"})


def printable(data: bytes) -> str | None:
    """``data`` as text when it is valid UTF-8 made of printable characters (or whitespace)."""
    if not data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if all(char.isprintable() or char in "\t\r\n" for char in text):
        return text
    return None


def _bytes(raw: dict[str, Any]) -> bytes:
    try:
        return base64.b64decode(raw.get("value") or "", validate=True)
    except (binascii.Error, ValueError):
        raise EndpointFailure("malformed stack item (bad base64)") from None


def to_stack_item(raw: Any) -> StackItem:
    """One RPC stack item; EndpointFailure if the node sent something that is not one."""
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise EndpointFailure("malformed stack item")
    kind: str = raw["type"]
    value = raw.get("value")
    if kind in BYTE_TYPES:
        data = _bytes(raw)
        return StackItem(kind, data.hex(), printable(data))
    if kind == "Integer":
        return StackItem(kind, str(int(str(value))))
    if kind == "Boolean":
        return StackItem(kind, bool(value))
    if kind in ("Array", "Struct"):
        return StackItem(kind, [to_stack_item(item).to_json() for item in value or []])
    if kind == "Map":
        pairs = [
            {"key": to_stack_item(p["key"]).to_json(), "value": to_stack_item(p["value"]).to_json()}
            for p in value or []
        ]
        return StackItem(kind, pairs)
    if kind == "InteropInterface" and "iterator" in raw:
        items = [to_stack_item(item).to_json() for item in raw["iterator"] or []]
        return StackItem(kind, {"iterator": items, "truncated": bool(raw.get("truncated"))})
    if kind == "InteropInterface":
        return StackItem(kind, {"interface": raw.get("interface"), "id": raw.get("id")})
    if kind == "Pointer":
        return StackItem(kind, int(str(value)))
    return StackItem(kind, None)  # Any (null)


def stack(raw: Any) -> list[StackItem]:
    if not isinstance(raw, list):
        raise EndpointFailure("malformed stack")
    try:
        return [to_stack_item(item) for item in raw]
    except (KeyError, TypeError, ValueError):
        raise EndpointFailure("malformed stack item") from None


def plain_value(raw: Any, declared: str | None = None) -> Any:
    """A JSON value for an event argument, shaped by the manifest's declared type if known:
    Hash160/Hash256 → ``0x`` big-endian hex, String → text, Integer → decimal string (as on
    Neo X: JSON numbers lose precision past 2**53), bytes → hex."""
    if not isinstance(raw, dict):
        raise EndpointFailure("malformed stack item")
    kind = raw.get("type")
    if kind in BYTE_TYPES:
        data = _bytes(raw)
        if declared in ("Hash160", "Hash256") and len(data) in (20, 32):
            return "0x" + data[::-1].hex()
        if declared == "String":
            return data.decode("utf-8", errors="replace")
        if declared in ("ByteArray", "PublicKey", "Signature"):
            return data.hex()
        text = printable(data)
        return text if text is not None and declared is None else data.hex()
    if kind == "Integer":
        return str(int(raw["value"]))
    if kind == "Boolean":
        return bool(raw["value"])
    if kind in ("Array", "Struct"):
        return [plain_value(item) for item in raw.get("value") or []]
    if kind == "Map":
        return [
            {"key": plain_value(p["key"]), "value": plain_value(p["value"])}
            for p in raw.get("value") or []
        ]
    if kind == "Any":
        return None
    return to_stack_item(raw).to_json()
