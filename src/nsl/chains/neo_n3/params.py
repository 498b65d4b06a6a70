"""JSON call arguments → values neo-mamba's ScriptBuilder pushes, and the call script itself.

Plain JSON maps as you would expect (bool, int, string, null, list; an object is a Map).
Typed parameters are ``{"type": <ContractParameterType>, "value": ...}``: ``Hash160`` (``0x``
big-endian hex or an N-address), ``Hash256`` (``0x`` hex), ``ByteArray``/``Signature`` (hex),
``PublicKey`` (hex), ``Integer`` (number or decimal string), ``String``, ``Boolean``,
``Array`` (list of parameters), ``Map`` (list of ``{"key", "value"}``), ``Any`` (null).
"""

from __future__ import annotations

from typing import Any

from neo3 import vm
from neo3.core import cryptography, types

from nsl.chains.neo_n3.accounts import address_to_script_hash, compressed_key
from nsl.core.errors import ValidationFailed

MAX_DEPTH = 16
MAX_ITEMS = 1024
MAX_SCRIPT = 0xFFFF
INT_BITS = 255  # NeoVM integers are at most 32 bytes, signed


def _fail(path: str, rule: str, message: str) -> ValidationFailed:
    return ValidationFailed.on(path, rule, message)


def _hex(value: Any, path: str, size: int | None = None) -> bytes:
    if not isinstance(value, str):
        raise _fail(path, "hex", "must be a hex string")
    text = value[2:] if value[:2].lower() == "0x" else value
    try:
        data = bytes.fromhex(text)
    except ValueError:
        raise _fail(path, "hex", "is not valid hex") from None
    if size is not None and len(data) != size:
        raise _fail(path, "length", f"must be {size} bytes")
    return data


def _integer(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _fail(path, "integer", "must be an integer or a decimal string")
    try:
        number = int(value)
    except ValueError:
        raise _fail(path, "integer", "is not a decimal integer") from None
    if not -(2**INT_BITS) <= number < 2**INT_BITS:
        raise _fail(path, "integer", "does not fit a 256-bit NeoVM integer")
    return number


def hash160(value: Any, path: str) -> types.UInt160:
    """A script hash from ``0x…`` big-endian hex (or bare hex) or an N-address."""
    if isinstance(value, str) and value.startswith("N") and len(value) == 34:
        return types.UInt160(address_to_script_hash(value, field=path))
    return types.UInt160(_hex(value, path, 20)[::-1])


def hex_of(value: types.UInt160) -> str:
    """``0x`` + big-endian hex, as Neo tools show a script hash."""
    return "0x" + value.to_array()[::-1].hex()


class _Converter:
    def __init__(self) -> None:
        self.items = 0

    def plain(self, value: Any, path: str, depth: int) -> Any:
        self._count(path, depth)
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int):
            return _integer(value, path)
        if isinstance(value, float):
            raise _fail(path, "integer", "floats are not NeoVM values; use an integer")
        if isinstance(value, list):
            return [self.plain(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
        if isinstance(value, dict):
            if set(value) == {"type", "value"} or set(value) == {"type"}:
                return self.typed(value, path, depth)
            return {k: self.plain(item, f"{path}.{k}", depth + 1) for k, item in value.items()}
        raise _fail(path, "neo_value", f"unsupported JSON value {type(value).__name__}")

    def typed(self, param: dict[str, Any], path: str, depth: int) -> Any:
        kind = str(param.get("type", "")).lower()
        value = param.get("value")
        at = f"{path}.value"
        if kind == "any":
            return None
        if kind == "boolean":
            if not isinstance(value, bool):
                raise _fail(at, "boolean", "must be true or false")
            return value
        if kind == "integer":
            return _integer(value, at)
        if kind == "string":
            if not isinstance(value, str):
                raise _fail(at, "string", "must be a string")
            return value
        if kind in ("bytearray", "bytestring", "buffer"):
            return _hex(value, at)
        if kind == "signature":
            return _hex(value, at, 64)
        if kind == "hash160":
            return hash160(value, at)
        if kind == "hash256":
            return types.UInt256(_hex(value, at, 32)[::-1])
        if kind == "publickey":
            key = compressed_key(_hex(value, at), field=at)
            return cryptography.ECPoint.deserialize_from_bytes(key)
        if kind == "array":
            if not isinstance(value, list):
                raise _fail(at, "array", "must be a list")
            return [self.plain(item, f"{at}[{i}]", depth + 1) for i, item in enumerate(value)]
        if kind == "map":
            return self._map(value, at, depth)
        raise _fail(f"{path}.type", "neo_parameter_type", f"unknown parameter type {kind!r}")

    def _map(self, value: Any, at: str, depth: int) -> dict[Any, Any]:
        if not isinstance(value, list):
            raise _fail(at, "map", 'must be a list of {"key", "value"} objects')
        result: dict[Any, Any] = {}
        for i, pair in enumerate(value):
            if not isinstance(pair, dict) or set(pair) != {"key", "value"}:
                raise _fail(f"{at}[{i}]", "map", 'must be {"key", "value"}')
            key = self.plain(pair["key"], f"{at}[{i}].key", depth + 1)
            if not isinstance(key, int | str | bool | bytes | types.UInt160 | types.UInt256):
                raise _fail(f"{at}[{i}].key", "map_key", "a map key must be a primitive value")
            result[key] = self.plain(pair["value"], f"{at}[{i}].value", depth + 1)
        return result

    def _count(self, path: str, depth: int) -> None:
        self.items += 1
        if depth > MAX_DEPTH:
            raise _fail(path, "max_depth", f"nested deeper than {MAX_DEPTH}")
        if self.items > MAX_ITEMS:
            raise _fail("args", "max_items", f"more than {MAX_ITEMS} values")


def convert_args(args: list[Any], field: str = "args") -> list[Any]:
    if not isinstance(args, list):
        raise _fail(field, "array", "must be a list")
    converter = _Converter()
    return [converter.plain(arg, f"{field}[{i}]", 1) for i, arg in enumerate(args)]


def emit_call(contract: types.UInt160, method: str, values: list[Any]) -> bytes:
    """The script of one contract call with already-converted values."""
    builder = vm.ScriptBuilder()  # type: ignore[no-untyped-call]  # neo-mamba leaves it unannotated
    return builder.emit_contract_call_with_args(contract, method, values).to_array()


def call_script(contract: types.UInt160, method: str, args: list[Any]) -> bytes:
    """System.Contract.Call(contract, method, CallFlags.All, args) as a script."""
    if not method or len(method) > 32 or method.startswith("_"):
        raise _fail("method", "neo_method", "must be 1-32 characters, not starting with '_'")
    values = convert_args(args)
    try:
        script = emit_call(contract, method, values)
    except ValueError as exc:
        raise _fail("args", "neo_value", str(exc)[:200]) from None
    if len(script) > MAX_SCRIPT:
        raise _fail("args", "max_length", f"the call script exceeds {MAX_SCRIPT} bytes")
    return script
