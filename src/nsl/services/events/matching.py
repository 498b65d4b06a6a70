"""Which events a subscription wants: its event name and equality filters on named arguments.

Values compare after normalisation, so a filter written as JSON matches however the chain
adapter spelled the argument: integers equal their decimal strings, ``0x`` hex compares
without case, booleans and other values compare as canonical JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from nsl.core.chain import ChainEvent

_HEX = re.compile(r"0[xX][0-9a-fA-F]*")
_DECIMAL = re.compile(r"-?[0-9]+")
JSON_SAFE_INT = 2**53


def canonical(value: Any) -> str:
    """One spelling per value (see the module docstring)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if _HEX.fullmatch(value):
            return value.lower()
        if _DECIMAL.fullmatch(value):
            return str(int(value))
        return value
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return orjson.dumps(jsonable(value), option=orjson.OPT_SORT_KEYS).decode()


def matches(event: ChainEvent, name: str | None, filters: Mapping[str, Any]) -> bool:
    """Whether ``event`` has the name (when given) and every filtered argument's value."""
    if name is not None and event.name != name:
        return False
    for key, wanted in filters.items():
        if key not in event.args or canonical(event.args[key]) != canonical(wanted):
            return False
    return True


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON every encoder takes: bytes as ``0x`` hex, integers beyond
    2**53 as decimal strings, tuples as lists."""
    if isinstance(value, bool) or value is None or isinstance(value, float | str):
        return value
    if isinstance(value, int):
        return value if -JSON_SAFE_INT < value < JSON_SAFE_INT else str(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)
