"""Neo X (EVM) accounts: the address of a secp256k1 key and EIP-55 checksummed spelling."""

from __future__ import annotations

import coincurve

from nsl.chains.neo_x.hashing import keccak256
from nsl.core.errors import ValidationFailed

_HEX = frozenset("0123456789abcdefABCDEF")


def uncompressed_key(public_key: bytes, field: str = "public_key") -> bytes:
    """The 65-byte ``04 ‖ x ‖ y`` form of a valid secp256k1 point (33 or 65 bytes in)."""
    if len(public_key) not in (33, 65):
        raise ValidationFailed.on(
            field, "secp256k1_point", "must be a 33-byte compressed or 65-byte uncompressed point"
        )
    try:
        return coincurve.PublicKey(public_key).format(compressed=False)
    except ValueError:
        raise ValidationFailed.on(field, "secp256k1_point", "not a point on secp256k1") from None


def address_bytes(public_key: bytes) -> bytes:
    """The last 20 bytes of Keccak-256 over the uncompressed point without its 0x04 prefix."""
    return keccak256(uncompressed_key(public_key)[1:])[-20:]


def checksum_address(address: bytes) -> str:
    """EIP-55: a hex letter is upper case when its nibble of Keccak-256(lower hex) is ≥ 8."""
    if len(address) != 20:
        raise ValidationFailed.on("address", "length", "must be 20 bytes")
    lower = address.hex()
    digest = keccak256(lower.encode()).hex()
    return "0x" + "".join(
        char.upper() if char.isalpha() and int(digest[i], 16) >= 8 else char
        for i, char in enumerate(lower)
    )


def evm_address(public_key: bytes) -> str:
    return checksum_address(address_bytes(public_key))


def parse_address(text: object, field: str = "address") -> bytes:
    """20 address bytes from ``0x`` + 40 hex; a mixed-case spelling must be EIP-55 valid."""
    if not isinstance(text, str):
        raise ValidationFailed.on(field, "evm_address", "must be a 0x-prefixed hex string")
    body = text[2:] if text[:2] in ("0x", "0X") else text
    if len(body) != 40 or not set(body) <= _HEX:
        raise ValidationFailed.on(field, "evm_address", "must be 20 bytes as 40 hex digits")
    raw = bytes.fromhex(body)
    mixed = body != body.lower() and body != body.upper()
    if mixed and checksum_address(raw)[2:] != body:
        raise ValidationFailed.on(field, "eip55_checksum", "mixed-case address fails EIP-55")
    return raw


def to_checksum(address_hex: str) -> str:
    """The EIP-55 spelling of a hex address (a mixed-case input must already be valid)."""
    return checksum_address(parse_address(address_hex))
