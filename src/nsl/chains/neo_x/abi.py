"""Solidity/Vyper JSON ABI: shape validation, canonical types, selectors and lookups.

Errors name the offending place (``abi[3].inputs[0].type``, ``method``) and the rule it broke.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from eth_abi.registry import registry

from nsl.chains.neo_x.hashing import keccak256
from nsl.core.errors import ValidationFailed

KINDS = frozenset({"function", "constructor", "event", "error", "fallback", "receive"})
MAX_ENTRIES = 2000
MAX_PARAMS = 64
_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]{0,255}$")
_TUPLE = re.compile(r"^tuple((\[[0-9]*\])*)$")

Abi = list[dict[str, Any]]


def _bad(field: str, rule: str, message: str) -> ValidationFailed:
    return ValidationFailed.on(field, rule, message)


def canonical_type(param: dict[str, Any], field: str) -> str:
    """The type as it appears in signatures: ``tuple[]`` with components → ``(uint256,bool)[]``."""
    raw = param.get("type")
    if not isinstance(raw, str) or not raw:
        raise _bad(f"{field}.type", "abi_type", "must be a Solidity type name")
    tuple_match = _TUPLE.match(raw)
    if tuple_match:
        components = param.get("components")
        if not isinstance(components, list) or not components:
            raise _bad(f"{field}.components", "abi_tuple", "a tuple needs its components")
        inner = [
            canonical_type(_param(c, f"{field}.components[{i}]"), f"{field}.components[{i}]")
            for i, c in enumerate(components)
        ]
        text = f"({','.join(inner)}){tuple_match.group(1)}"
    else:
        text = raw
    if not registry.has_encoder(text):
        raise _bad(f"{field}.type", "abi_type", f"{raw!r} is not a valid ABI type")
    return text


def _param(raw: Any, field: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _bad(field, "abi_param", "must be an object with name and type")
    name = raw.get("name", "")
    if not isinstance(name, str) or (name and not _NAME.match(name)):
        raise _bad(f"{field}.name", "abi_name", "must be an identifier")
    return raw


def _params(entry: dict[str, Any], key: str, field: str) -> list[str]:
    raw = entry.get(key, [])
    if not isinstance(raw, list) or len(raw) > MAX_PARAMS:
        raise _bad(f"{field}.{key}", "abi_params", f"must be a list of at most {MAX_PARAMS}")
    where = f"{field}.{key}"
    types = [canonical_type(_param(p, f"{where}[{i}]"), f"{where}[{i}]") for i, p in enumerate(raw)]
    if entry.get("type") == "event":
        for i, p in enumerate(raw):
            if not isinstance(p.get("indexed", False), bool):
                raise _bad(f"{where}[{i}].indexed", "boolean", "must be true or false")
    return types


def validate_abi(abi: Any, field: str = "abi") -> Abi:
    """``abi`` itself when it is a well-formed JSON ABI, else ValidationFailed naming the place."""
    if not isinstance(abi, list):
        raise _bad(field, "abi", "must be a JSON array of ABI entries")
    if len(abi) > MAX_ENTRIES:
        raise _bad(field, "max_items", f"must have at most {MAX_ENTRIES} entries")
    for i, entry in enumerate(abi):
        where = f"{field}[{i}]"
        if not isinstance(entry, dict):
            raise _bad(where, "abi_entry", "must be an object")
        kind = entry.get("type", "function")
        if kind not in KINDS:
            raise _bad(f"{where}.type", "abi_kind", f"must be one of {', '.join(sorted(KINDS))}")
        if kind in ("function", "event", "error"):
            name = entry.get("name")
            if not isinstance(name, str) or not _NAME.match(name):
                raise _bad(f"{where}.name", "abi_name", "must be an identifier")
        _params(entry, "inputs", where)
        if kind == "function":
            _params(entry, "outputs", where)
    return abi


@dataclass(frozen=True)
class AbiItem:
    """A function, event, error or constructor with its canonical parameter types."""

    kind: str
    name: str
    inputs: list[dict[str, Any]]
    input_types: list[str]
    output_types: list[str]
    anonymous: bool = False

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(self.input_types)})"

    @property
    def selector(self) -> bytes:
        return keccak256(self.signature.encode())[:4]

    @property
    def topic(self) -> bytes:
        return keccak256(self.signature.encode())


def items(abi: Abi, kind: str) -> list[AbiItem]:
    """Every entry of one kind (``abi`` must have passed :func:`validate_abi`)."""
    found = []
    for i, entry in enumerate(abi):
        if entry.get("type", "function") != kind:
            continue
        where = f"abi[{i}]"
        found.append(
            AbiItem(
                kind=kind,
                name=str(entry.get("name", "")),
                inputs=list(entry.get("inputs", [])),
                input_types=_params(entry, "inputs", where),
                output_types=_params(entry, "outputs", where) if kind == "function" else [],
                anonymous=bool(entry.get("anonymous", False)),
            )
        )
    return found


def function(abi: Abi, name: str, argc: int) -> AbiItem:
    """The function ``name`` taking ``argc`` arguments (overloads are told apart by count)."""
    named = [f for f in items(abi, "function") if f.name == name]
    if not named:
        raise _bad("method", "abi_function", f"the ABI has no function {name!r}")
    fitting = [f for f in named if len(f.input_types) == argc]
    if not fitting:
        counts = sorted({len(f.input_types) for f in named})
        raise _bad("args", "arity", f"{name} takes {' or '.join(map(str, counts))} arguments")
    if len(fitting) > 1:
        raise _bad("method", "abi_overload", f"{name} has several overloads of {argc} arguments")
    return fitting[0]


def constructor(abi: Abi) -> AbiItem:
    found = items(abi, "constructor")
    return found[0] if found else AbiItem("constructor", "constructor", [], [], [])
