"""Turning token output into the enclave contract's forms, with public data only.

Compressed points from the token's raw ones, ECDSA r‖s with low s, the secp256k1 recovery id
(found by recovering with coincurve), and the digest rules every provider shares.
"""

from __future__ import annotations

import hashlib

import coincurve
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from nsl.core.enclave import EnclaveUnsupported, KeyType, SignAlgorithm
from nsl.core.errors import ValidationFailed
from nsl.enclave import points


def digest(message: bytes, algorithm: SignAlgorithm) -> bytes:
    """What ECDSA signs: SHA-256 of the message, or the caller's 32-byte digest."""
    if algorithm is SignAlgorithm.ECDSA_SHA256:
        return hashlib.sha256(message).digest()
    if len(message) != 32:
        raise ValidationFailed.on("data", "digest_length", "a prehashed digest is 32 bytes")
    return message


def check_algorithm(key_type: KeyType, algorithm: SignAlgorithm) -> None:
    """Refuse a key type / algorithm pair the contract does not define."""
    if (key_type is KeyType.ED25519) != (algorithm is SignAlgorithm.ED25519) or (
        key_type is KeyType.SECP256R1 and algorithm is SignAlgorithm.ECDSA_RECOVERABLE
    ):
        raise EnclaveUnsupported(f"{key_type} keys do not sign with {algorithm}")


def low_s_signature(key_type: KeyType, raw: bytes) -> bytes:
    """The token's r‖s with s moved to the lower half of the curve order."""
    s = points.low_s(int.from_bytes(raw[32:64], "big"), points.ORDERS[key_type])
    return raw[:32] + s.to_bytes(32, "big")


def recovery_id(signature: bytes, digest: bytes, public_key: bytes) -> int | None:
    """Which of 0/1 recovers ``public_key`` from a secp256k1 r‖s over ``digest``."""
    for recid in (0, 1):
        try:
            recovered = coincurve.PublicKey.from_signature_and_message(
                signature + bytes([recid]), digest, hasher=None
            )
        except ValueError:
            continue
        if recovered.format() == public_key:
            return recid
    return None


def compressed(key_type: KeyType, point: bytes) -> bytes:
    """The contract's public key: compressed SEC1 for EC, the 32 bytes for Ed25519."""
    if key_type is KeyType.SECP256R1:
        return points.compressed_p256(points.load_p256(point))
    if key_type is KeyType.SECP256K1:
        return bytes(points.load_secp256k1(point).format())
    return point


def uncompressed(key_type: KeyType, point: bytes, field: str = "ciphertext") -> bytes:
    """An EC point as the token's ECDH wants it (uncompressed SEC1); validates it."""
    if key_type is KeyType.SECP256R1:
        public = points.load_p256(point, field)
        return public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return bytes(points.load_secp256k1(point, field).format(compressed=False))
