"""A strict reader for Neo N3 transaction bytes: the unsigned part, optionally with witnesses.

It refuses what a node would refuse to deserialize (and non-canonical var-ints, which would
change the hash a node computes), so the key service never signs garbage.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from nsl.core.errors import ValidationFailed

MAX_TRANSACTION_SIZE = 102_400
MAX_TRANSACTION_ATTRIBUTES = 16  # signers and attributes together
MAX_SUB_ITEMS = 16
MAX_NESTING_DEPTH = 3  # lenient: the deepest any node release accepts
MAX_SCRIPT = 0xFFFF
MAX_WITNESS_SCRIPT = 1024
INT64_MAX = 2**63 - 1

# witness scopes
CALLED_BY_ENTRY = 0x01
CUSTOM_CONTRACTS = 0x10
CUSTOM_GROUPS = 0x20
WITNESS_RULES = 0x40
GLOBAL = 0x80
_ALL_SCOPES = CALLED_BY_ENTRY | CUSTOM_CONTRACTS | CUSTOM_GROUPS | WITNESS_RULES | GLOBAL

# transaction attribute types
HIGH_PRIORITY = 0x01
ORACLE_RESPONSE = 0x11
NOT_VALID_BEFORE = 0x20
CONFLICTS = 0x21
NOTARY_ASSISTED = 0x22
_ORACLE_CODES = frozenset({0x00, 0x10, 0x12, 0x14, 0x16, 0x18, 0x1A, 0x1C, 0x1F, 0xFF})

# witness condition types
_COND_BOOLEAN, _COND_NOT, _COND_AND, _COND_OR = 0x00, 0x01, 0x02, 0x03
_COND_HASH = frozenset({0x18, 0x28})  # ScriptHash, CalledByContract: a UInt160
_COND_GROUP = frozenset({0x19, 0x29})  # Group, CalledByGroup: a public key
_COND_CALLED_BY_ENTRY = 0x20


@dataclass(frozen=True)
class Signer:
    account: bytes  # UInt160, little-endian as stored
    scopes: int
    allowed_contracts: tuple[bytes, ...] = ()
    allowed_groups: tuple[bytes, ...] = ()
    rules: tuple[bytes, ...] = ()  # each rule's serialized bytes


@dataclass(frozen=True)
class Attribute:
    type: int
    body: bytes


@dataclass(frozen=True)
class UnsignedTransaction:
    version: int
    nonce: int
    system_fee: int
    network_fee: int
    valid_until_block: int
    signers: tuple[Signer, ...]
    attributes: tuple[Attribute, ...]
    script: bytes
    unsigned: bytes  # the exact unsigned bytes (what the hash covers)
    witness_count: int  # witnesses already attached after the unsigned part

    @property
    def hash(self) -> bytes:
        """SHA-256 of the unsigned bytes, as Neo stores a UInt256."""
        return hashlib.sha256(self.unsigned).digest()

    @property
    def hash_hex(self) -> str:
        """The transaction id as Neo tools display it (``0x`` + big-endian hex)."""
        return "0x" + self.hash[::-1].hex()

    @property
    def sender(self) -> bytes:
        return self.signers[0].account


class _Reader:
    def __init__(self, data: bytes, field: str) -> None:
        self.data = data
        self.pos = 0
        self.field = field

    def fail(self, message: str) -> ValidationFailed:
        return ValidationFailed.on(self.field, "neo_n3_tx", f"{message} (at byte {self.pos})")

    def take(self, count: int) -> bytes:
        if self.pos + count > len(self.data):
            raise self.fail("unexpected end of data")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def uint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "little")

    def int64(self) -> int:
        return int.from_bytes(self.take(8), "little", signed=True)

    def var_int(self, maximum: int) -> int:
        first = self.byte()
        if first < 0xFD:
            value = first
        else:
            size = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
            value = self.uint(size)
            if value < (0xFD if size == 2 else 1 << (8 * size // 2)):
                raise self.fail("non-canonical var-int")
        if value > maximum:
            raise self.fail(f"count {value} exceeds {maximum}")
        return value

    def var_bytes(self, maximum: int) -> bytes:
        return self.take(self.var_int(maximum))

    def public_key(self) -> bytes:
        key = self.take(33)
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key)
        except ValueError:
            raise self.fail("invalid public key") from None
        return key


def _condition(reader: _Reader, depth: int) -> None:
    kind = reader.byte()
    if kind == _COND_BOOLEAN:
        if reader.byte() > 1:
            raise reader.fail("boolean condition must be 0 or 1")
    elif kind in (_COND_NOT, _COND_AND, _COND_OR):
        if depth <= 0:
            raise reader.fail("witness condition nested too deeply")
        count = 1 if kind == _COND_NOT else reader.var_int(MAX_SUB_ITEMS)
        if count == 0:
            raise reader.fail("and/or condition without expressions")
        for _ in range(count):
            _condition(reader, depth - 1)
    elif kind in _COND_HASH:
        reader.take(20)
    elif kind in _COND_GROUP:
        reader.public_key()
    elif kind != _COND_CALLED_BY_ENTRY:
        raise reader.fail(f"unknown witness condition type {kind:#04x}")


def _signer(reader: _Reader) -> Signer:
    account = reader.take(20)
    scopes = reader.byte()
    if scopes & ~_ALL_SCOPES or (scopes & GLOBAL and scopes != GLOBAL):
        raise reader.fail(f"invalid witness scope {scopes:#04x}")
    contracts: tuple[bytes, ...] = ()
    groups: tuple[bytes, ...] = ()
    rules: list[bytes] = []
    if scopes & CUSTOM_CONTRACTS:
        contracts = tuple(reader.take(20) for _ in range(reader.var_int(MAX_SUB_ITEMS)))
    if scopes & CUSTOM_GROUPS:
        groups = tuple(reader.public_key() for _ in range(reader.var_int(MAX_SUB_ITEMS)))
    if scopes & WITNESS_RULES:
        for _ in range(reader.var_int(MAX_SUB_ITEMS)):
            start = reader.pos
            if reader.byte() > 1:
                raise reader.fail("witness rule action must be deny (0) or allow (1)")
            _condition(reader, MAX_NESTING_DEPTH)
            rules.append(reader.data[start : reader.pos])
    return Signer(account, scopes, contracts, groups, tuple(rules))


def _attribute(reader: _Reader) -> Attribute:
    kind = reader.byte()
    start = reader.pos
    if kind == ORACLE_RESPONSE:
        reader.take(8)
        code = reader.byte()
        result = reader.var_bytes(0xFFFF)
        if code not in _ORACLE_CODES or (code != 0 and result):
            raise reader.fail("invalid oracle response attribute")
    elif kind == NOT_VALID_BEFORE:
        reader.take(4)
    elif kind == CONFLICTS:
        reader.take(32)
    elif kind == NOTARY_ASSISTED:
        reader.take(1)
    elif kind != HIGH_PRIORITY:
        raise reader.fail(f"unknown transaction attribute type {kind:#04x}")
    return Attribute(kind, reader.data[start : reader.pos])


def parse_unsigned_transaction(raw: bytes, field: str = "transaction") -> UnsignedTransaction:
    """Parse Neo N3 transaction bytes (unsigned part, optionally with witnesses after it).

    Raises ``ValidationFailed.on(field, "neo_n3_tx", ...)`` on anything a node would refuse.
    """
    if len(raw) > MAX_TRANSACTION_SIZE:
        raise ValidationFailed.on(field, "neo_n3_tx", f"longer than {MAX_TRANSACTION_SIZE} bytes")
    reader = _Reader(bytes(raw), field)
    version = reader.byte()
    if version != 0:
        raise reader.fail(f"unsupported transaction version {version}")
    nonce = reader.uint(4)
    system_fee = reader.int64()
    network_fee = reader.int64()
    if system_fee < 0 or network_fee < 0 or system_fee + network_fee > INT64_MAX:
        raise reader.fail("fees must be non-negative int64 values")
    valid_until_block = reader.uint(4)
    signer_count = reader.var_int(MAX_TRANSACTION_ATTRIBUTES)
    if signer_count == 0:
        raise reader.fail("a transaction needs at least one signer")
    signers = tuple(_signer(reader) for _ in range(signer_count))
    if len({signer.account for signer in signers}) != len(signers):
        raise reader.fail("duplicate signer")
    attribute_count = reader.var_int(MAX_TRANSACTION_ATTRIBUTES - signer_count)
    attributes = tuple(_attribute(reader) for _ in range(attribute_count))
    single = [a.type for a in attributes if a.type != CONFLICTS]
    if len(set(single)) != len(single):
        raise reader.fail("duplicate transaction attribute")
    script = reader.var_bytes(MAX_SCRIPT)
    if not script:
        raise reader.fail("empty script")
    unsigned_end = reader.pos
    witness_count = 0
    if reader.pos < len(reader.data):
        witness_count = reader.var_int(signer_count)
        for _ in range(witness_count):
            reader.var_bytes(MAX_WITNESS_SCRIPT)
            reader.var_bytes(MAX_WITNESS_SCRIPT)
        if reader.pos != len(reader.data):
            raise reader.fail("trailing bytes after the witnesses")
    return UnsignedTransaction(
        version=version,
        nonce=nonce,
        system_fee=system_fee,
        network_fee=network_fee,
        valid_until_block=valid_until_block,
        signers=signers,
        attributes=attributes,
        script=script,
        unsigned=reader.data[:unsigned_end],
        witness_count=witness_count,
    )
