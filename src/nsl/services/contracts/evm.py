"""Neo X (EVM) deploy and call inputs, checked before anything is sent.

Init bytecode is hex (``0x`` optional), not empty, within the settings' size limit and the
EIP-3860 init-code limit (49,152 bytes). ABIs are checked by :mod:`nsl.chains.neo_x.abi`
(the same rules the adapter encodes with); calls must name a function of the right arity.
"""

from __future__ import annotations

from typing import Any

from nsl.chains.neo_x import abi as evm_abi
from nsl.services.contracts.errors import InvalidInput

INIT_CODE_LIMIT = 49_152


def bytecode(value: str, limit: int) -> bytes:
    """Init code bytes from hex, at most ``min(limit, INIT_CODE_LIMIT)`` bytes."""
    text = value[2:] if value[:2] in ("0x", "0X") else value
    cap = min(limit, INIT_CODE_LIMIT)
    if len(text) > 2 * cap:
        raise InvalidInput.on("bytecode", "length", f"at most {cap} bytes")
    try:
        code = bytes.fromhex(text)
    except ValueError:
        raise InvalidInput.on("bytecode", "hex", "must be an even number of hex digits") from None
    if not code:
        raise InvalidInput.on("bytecode", "not_empty", "the init code is empty")
    return code


def check_abi(value: Any) -> list[dict[str, Any]]:
    return evm_abi.validate_abi(value, "abi")


def check_function(abi: list[dict[str, Any]], method: str, args: list[Any]) -> None:
    evm_abi.function(abi, method, len(args))


def check_constructor(abi: list[dict[str, Any]], args: list[Any]) -> None:
    expected = len(evm_abi.constructor(abi).input_types)
    if len(args) != expected:
        raise InvalidInput.on("args", "arity", f"the constructor takes {expected} arguments")
