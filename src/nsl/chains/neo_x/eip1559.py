"""EIP-1559 (type 0x02) transactions for Neo X: parse web3-style JSON, hash, encode signed bytes.

Errors name the offending JSON field (``transaction.maxFeePerGas``, ``transaction.accessList[0]
.address``, ...). Signatures come from the caller (the enclave's recoverable secp256k1 ECDSA).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from nsl.chains.neo_x import rlp
from nsl.chains.neo_x.accounts import parse_address
from nsl.chains.neo_x.hashing import keccak256
from nsl.chains.neo_x.signature import check_values, split_recoverable
from nsl.core.errors import ValidationFailed

TX_TYPE = 0x02
UINT64_MAX = 2**64 - 1
UINT256_MAX = 2**256 - 1
MAX_DATA = 128 * 1024  # geth's transaction size limit for the pool
FIELD = "transaction"
MAX_QUANTITY_TEXT = 80  # 2**256 has 78 decimal digits

AccessList = tuple[tuple[bytes, tuple[bytes, ...]], ...]

_KNOWN = frozenset(
    {
        "type",
        "chainId",
        "nonce",
        "maxPriorityFeePerGas",
        "maxFeePerGas",
        "gas",
        "to",
        "value",
        "data",
        "input",
        "accessList",
    }
)


def _bad(name: str, rule: str, message: str) -> ValidationFailed:
    return ValidationFailed.on(f"{FIELD}.{name}", rule, message)


def _check_uint(name: str, value: int, maximum: int, minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(name, "integer", "must be an integer")
    if value < minimum:
        raise _bad(name, "range", f"must be at least {minimum}")
    if value > maximum:
        raise _bad(name, "range", f"must be at most {maximum}")


@dataclass(frozen=True)
class Eip1559Transaction:
    chain_id: int
    nonce: int
    max_priority_fee_per_gas: int
    max_fee_per_gas: int
    gas: int
    to: bytes | None  # 20 bytes; None creates a contract
    value: int
    data: bytes
    access_list: AccessList = ()

    def __post_init__(self) -> None:
        _check_uint("chainId", self.chain_id, UINT64_MAX, minimum=1)
        _check_uint("nonce", self.nonce, UINT64_MAX - 1)  # EIP-2681
        _check_uint("maxPriorityFeePerGas", self.max_priority_fee_per_gas, UINT256_MAX)
        _check_uint("maxFeePerGas", self.max_fee_per_gas, UINT256_MAX)
        if self.max_priority_fee_per_gas > self.max_fee_per_gas:
            raise _bad("maxPriorityFeePerGas", "not_above_max_fee", "must not exceed maxFeePerGas")
        _check_uint("gas", self.gas, UINT64_MAX)
        _check_uint("value", self.value, UINT256_MAX)
        if self.to is not None and (not isinstance(self.to, bytes) or len(self.to) != 20):
            raise _bad("to", "evm_address", "must be 20 bytes")
        if not isinstance(self.data, bytes):
            raise _bad("data", "hex_bytes", "must be bytes")
        if len(self.data) > MAX_DATA:
            raise _bad("data", "max_length", f"must be at most {MAX_DATA} bytes")
        for i, entry in enumerate(self.access_list):
            if not isinstance(entry, tuple) or len(entry) != 2:
                raise _bad(f"accessList[{i}]", "object", "must be (address, storage keys)")
            address, keys = entry
            if not isinstance(address, bytes) or len(address) != 20:
                raise _bad(f"accessList[{i}].address", "evm_address", "must be 20 bytes")
            for j, key in enumerate(keys):
                if not isinstance(key, bytes) or len(key) != 32:
                    raise _bad(f"accessList[{i}].storageKeys[{j}]", "length", "must be 32 bytes")

    def fields(self) -> list[rlp.Item]:
        """The nine RLP fields the signature covers, in EIP-1559 order."""
        access: list[rlp.Item] = [[address, list(keys)] for address, keys in self.access_list]
        return [
            self.chain_id,
            self.nonce,
            self.max_priority_fee_per_gas,
            self.max_fee_per_gas,
            self.gas,
            self.to or b"",
            self.value,
            self.data,
            access,
        ]


# --- JSON -------------------------------------------------------------------------------


def _uint(obj: Mapping[str, Any], name: str, default: int | None = None) -> int:
    raw = obj.get(name)
    if raw is None:
        if default is None:
            raise _bad(name, "required", "is required")
        return default
    if isinstance(raw, bool):
        raise _bad(name, "integer", "must be an integer or a 0x-prefixed hex quantity")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) > MAX_QUANTITY_TEXT:
            raise _bad(name, "range", "is far too large")
        if text[:2] in ("0x", "0X"):
            digits = text[2:]
            if digits and all(c in "0123456789abcdefABCDEF" for c in digits):
                return int(digits, 16)
        elif text.isascii() and text.isdigit():
            return int(text)
    raise _bad(name, "integer", "must be an integer or a 0x-prefixed hex quantity")


def _hex_bytes(raw: Any, name: str) -> bytes:
    if isinstance(raw, bytes | bytearray):
        return bytes(raw)
    if isinstance(raw, str):
        text = raw[2:] if raw[:2] in ("0x", "0X") else None
        if text is not None and len(text) % 2 == 0:
            try:
                return bytes.fromhex(text)
            except ValueError:
                pass
    raise _bad(name, "hex_bytes", "must be 0x-prefixed hex with an even number of digits")


def _access_list(raw: Any) -> AccessList:
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise _bad("accessList", "array", "must be a list of {address, storageKeys}")
    entries = []
    for i, entry in enumerate(raw):
        where = f"accessList[{i}]"
        if not isinstance(entry, Mapping) or set(entry) - {"address", "storageKeys"}:
            raise _bad(where, "object", "must be an object with address and storageKeys")
        address = parse_address(entry.get("address"), f"{FIELD}.{where}.address")
        keys_raw = entry.get("storageKeys", [])
        if not isinstance(keys_raw, list | tuple):
            raise _bad(f"{where}.storageKeys", "array", "must be a list of 32-byte hex keys")
        keys = []
        for j, key_raw in enumerate(keys_raw):
            key = _hex_bytes(key_raw, f"{where}.storageKeys[{j}]")
            if len(key) != 32:
                raise _bad(f"{where}.storageKeys[{j}]", "length", "must be 32 bytes")
            keys.append(key)
        entries.append((address, tuple(keys)))
    return tuple(entries)


def from_json(obj: Mapping[str, Any]) -> Eip1559Transaction:
    """A transaction from web3-style keys (ints, 0x-hex quantities or decimal strings).

    ``type`` may be given (must be 2); ``input`` is accepted as an alias of ``data``.
    Unknown keys (``from``, ``gasPrice``, ...) are refused rather than silently dropped.
    """
    if not isinstance(obj, Mapping):
        raise ValidationFailed.on(FIELD, "object", "must be a JSON object")
    for key in obj:
        if key not in _KNOWN:
            raise _bad(str(key), "unknown_field", "is not a field of an EIP-1559 transaction")
    if obj.get("type") is not None and _uint(obj, "type") != TX_TYPE:
        raise _bad("type", "eip1559", "only type 2 (EIP-1559) transactions are supported")
    data_key = "data"
    if obj.get("input") is not None:
        if obj.get("data") is not None and obj["data"] != obj["input"]:
            raise _bad("input", "conflict", "data and input differ")
        data_key = "input"
    raw_to = obj.get("to")
    return Eip1559Transaction(
        chain_id=_uint(obj, "chainId"),
        nonce=_uint(obj, "nonce"),
        max_priority_fee_per_gas=_uint(obj, "maxPriorityFeePerGas"),
        max_fee_per_gas=_uint(obj, "maxFeePerGas"),
        gas=_uint(obj, "gas"),
        to=None if raw_to in (None, "", "0x") else parse_address(raw_to, f"{FIELD}.to"),
        value=_uint(obj, "value", 0),
        data=b"" if obj.get(data_key) is None else _hex_bytes(obj[data_key], data_key),
        access_list=_access_list(obj.get("accessList")),
    )


# --- hashing and encoding ---------------------------------------------------------------


def unsigned_payload(tx: Eip1559Transaction) -> bytes:
    """``0x02 ‖ rlp([9 fields])`` (what wallets call the unsigned serialization)."""
    return bytes([TX_TYPE]) + rlp.encode(tx.fields())


def signing_hash(tx: Eip1559Transaction) -> bytes:
    return keccak256(unsigned_payload(tx))


def encode_signed(tx: Eip1559Transaction, y_parity: int, r: int, s: int) -> bytes:
    """``0x02 ‖ rlp([9 fields, y_parity, r, s])``: the bytes for ``eth_sendRawTransaction``."""
    check_values(y_parity, r, s)
    return bytes([TX_TYPE]) + rlp.encode([*tx.fields(), y_parity, r, s])


def transaction_hash(raw: bytes) -> bytes:
    """The transaction hash of signed typed-transaction bytes: Keccak-256 over all of them."""
    return keccak256(raw)


async def sign_transaction(
    tx: Eip1559Transaction, sign: Callable[[bytes], Awaitable[bytes]]
) -> bytes:
    """Signed raw bytes; ``sign`` returns a 65-byte r ‖ s ‖ recovery id over its 32-byte digest."""
    parts = split_recoverable(await sign(signing_hash(tx)))
    return encode_signed(tx, parts.y_parity, parts.r, parts.s)


# --- decoding ---------------------------------------------------------------------------


def _from_fields(items: list[rlp.Decoded], field: str) -> Eip1559Transaction:
    names = ("chainId", "nonce", "maxPriorityFeePerGas", "maxFeePerGas", "gas")
    numbers = [rlp.decode_uint(items[i], f"{field}.{name}") for i, name in enumerate(names)]
    to, value, data, access = items[5], items[6], items[7], items[8]
    if not isinstance(to, bytes) or len(to) not in (0, 20):
        raise ValidationFailed.on(f"{field}.to", "evm_address", "must be empty or 20 bytes")
    if not isinstance(data, bytes):
        raise ValidationFailed.on(f"{field}.data", "rlp", "must be a byte string")
    if not isinstance(access, list):
        raise ValidationFailed.on(f"{field}.accessList", "rlp", "must be a list")
    entries = []
    for i, entry in enumerate(access):
        where = f"{field}.accessList[{i}]"
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], bytes)):
            raise ValidationFailed.on(where, "rlp", "must be [address, [storage keys]]")
        if not isinstance(entry[1], list) or not all(isinstance(k, bytes) for k in entry[1]):
            raise ValidationFailed.on(f"{where}.storageKeys", "rlp", "must be a list of keys")
        entries.append((entry[0], tuple(k for k in entry[1] if isinstance(k, bytes))))
    chain_id, nonce, max_priority_fee, max_fee, gas = numbers
    return Eip1559Transaction(
        chain_id=chain_id,
        nonce=nonce,
        max_priority_fee_per_gas=max_priority_fee,
        max_fee_per_gas=max_fee,
        gas=gas,
        to=to or None,
        value=rlp.decode_uint(value, f"{field}.value"),
        data=data,
        access_list=tuple(entries),
    )


def _payload(raw: bytes, field: str, count: int) -> list[rlp.Decoded]:
    if raw[:1] != bytes([TX_TYPE]):
        raise ValidationFailed.on(field, "eip1559", "must start with the type byte 0x02")
    items = rlp.decode(raw[1:], field)
    if not isinstance(items, list) or len(items) != count:
        raise ValidationFailed.on(field, "eip1559", f"must be an RLP list of {count} fields")
    return items


def decode_unsigned(raw: bytes, field: str = FIELD) -> Eip1559Transaction:
    """Parse ``0x02 ‖ rlp([9 fields])`` (an unsigned serialization) strictly."""
    return _from_fields(_payload(raw, field, 9), field)


def decode_signed(raw: bytes, field: str = FIELD) -> tuple[Eip1559Transaction, int, int, int]:
    """Parse signed bytes into (transaction, y_parity, r, s), refusing invalid signatures."""
    items = _payload(raw, field, 12)
    y_parity, r, s = (rlp.decode_uint(items[9 + i], f"{field}.{n}") for i, n in enumerate("vrs"))
    check_values(y_parity, r, s, f"{field}.signature")
    return _from_fields(items[:9], field), y_parity, r, s
