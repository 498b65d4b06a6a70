"""Revert payloads as text: ``Error(string)``, ``Panic(uint256)`` and the ABI's custom errors."""

from __future__ import annotations

import json

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError

from nsl.chains.neo_x.abi import Abi, items
from nsl.chains.neo_x.abi_values import decode_values

ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string)
PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)
MAX_REASON = 500

PANIC_CODES = {
    0x00: "generic compiler panic",
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "invalid enum value",
    0x22: "invalid storage byte array",
    0x31: "pop on an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to an uninitialised function",
}


def revert_reason(data: bytes | None, abi: Abi | None = None) -> str | None:
    """What a revert says: its message, a panic's meaning, ``Name([args])`` for a custom error
    the ABI declares, or the raw hex; None for a revert without data."""
    if not data:
        return None
    selector, body = data[:4], data[4:]
    try:
        if selector == ERROR_STRING:
            (message,) = decode(["string"], body)
            return str(message)[:MAX_REASON]
        if selector == PANIC:
            (code,) = decode(["uint256"], body)
            return f"panic 0x{code:02x}: {PANIC_CODES.get(code, 'unknown panic code')}"
        for error in items(abi or [], "error"):
            if error.selector == selector:
                args = [item.value for item in decode_values(error.input_types, body)]
                return f"{error.name}({json.dumps(args)[1:-1]})"[:MAX_REASON]
    except (DecodingError, UnicodeDecodeError, OverflowError):
        pass
    return ("0x" + data.hex())[:MAX_REASON]
