"""Neo N3 standard accounts: a P-256 public key's verification script, script hash and address.

Script hashes are returned as Neo stores them (little-endian); ``script_hash_hex`` is the
big-endian ``0x…`` form Neo tools display.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from nsl.chains.neo_n3.base58 import b58check_decode, b58check_encode
from nsl.core.errors import ValidationFailed

ADDRESS_VERSION = 0x35
PUSHDATA1 = 0x0C
SYSCALL = 0x41
CHECK_SIG = "System.Crypto.CheckSig"
#: interop service id: the first 4 bytes of SHA-256(name), emitted as Neo stores the uint32 (LE)
CHECK_SIG_ID = hashlib.sha256(CHECK_SIG.encode()).digest()[:4]
VERIFICATION_SCRIPT_LENGTH = 40


def compressed_key(public_key: bytes, field: str = "public_key") -> bytes:
    """The 33-byte compressed form of a valid P-256 point (compressed or uncompressed input)."""
    if len(public_key) not in (33, 65):
        raise ValidationFailed.on(
            field, "p256_point", "must be a 33-byte compressed or 65-byte uncompressed point"
        )
    try:
        point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key)
    except ValueError:
        raise ValidationFailed.on(field, "p256_point", "not a point on secp256r1") from None
    return point.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)


def verification_script(public_key: bytes) -> bytes:
    """PUSHDATA1 33 <compressed key> SYSCALL System.Crypto.CheckSig (40 bytes)."""
    key = compressed_key(public_key)
    return bytes([PUSHDATA1, len(key)]) + key + bytes([SYSCALL]) + CHECK_SIG_ID


def hash160(data: bytes) -> bytes:
    return hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()


def script_hash(public_key: bytes) -> bytes:
    """RIPEMD160(SHA256(verification script)), 20 bytes little-endian as Neo stores a UInt160."""
    return hash160(verification_script(public_key))


def script_hash_to_hex(hash_le: bytes) -> str:
    """``0x`` + big-endian hex of a stored (little-endian) UInt160."""
    return "0x" + hash_le[::-1].hex()


def script_hash_hex(public_key: bytes) -> str:
    return script_hash_to_hex(script_hash(public_key))


def script_hash_to_address(hash_le: bytes, version: int = ADDRESS_VERSION) -> str:
    if len(hash_le) != 20:
        raise ValidationFailed.on("script_hash", "length", "must be 20 bytes")
    if not 0 <= version <= 0xFF:
        raise ValidationFailed.on("address_version", "range", "must be a byte (0..255)")
    return b58check_encode(bytes([version]) + hash_le)


def address(public_key: bytes, version: int = ADDRESS_VERSION) -> str:
    """Base58Check(version ‖ script hash) — the standard account's address."""
    return script_hash_to_address(script_hash(public_key), version)


def address_to_script_hash(
    text: str, version: int = ADDRESS_VERSION, field: str = "address"
) -> bytes:
    """The little-endian script hash an address names; ValidationFailed naming ``field``."""
    payload = b58check_decode(text, field)
    if len(payload) != 21:
        raise ValidationFailed.on(field, "neo_address", "must carry a version byte and 20 bytes")
    if payload[0] != version:
        raise ValidationFailed.on(
            field, "neo_address", f"address version {payload[0]:#04x} is not {version:#04x}"
        )
    return payload[1:]
