"""Signature verification with public keys only (no enclave needed): every key type and algorithm.

Returns False for a well-formed signature that does not verify; malformed keys raise
``ValidationFailed``. Signatures with a high ``s`` are rejected (every signer here emits low-s).
"""

from __future__ import annotations

import hashlib

import coincurve
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

from nsl.core.enclave import KeyType, SignAlgorithm
from nsl.core.errors import ValidationFailed
from nsl.enclave import points


def verify_signature(
    key_type: KeyType,
    public_key: bytes,
    message: bytes,
    signature: bytes,
    algorithm: SignAlgorithm,
) -> bool:
    if key_type is KeyType.ED25519:
        return _verify_ed25519(public_key, message, signature, algorithm)
    digest = _digest(message, algorithm)
    expected = 65 if algorithm is SignAlgorithm.ECDSA_RECOVERABLE else 64
    if len(signature) != expected:
        return False
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    order = points.ORDERS[key_type]
    if not (0 < r < order and 0 < s <= order // 2):
        return False
    if key_type is KeyType.SECP256R1:
        if algorithm is SignAlgorithm.ECDSA_RECOVERABLE:
            return False
        return _verify_p256(public_key, digest, r, s)
    return _verify_secp256k1(public_key, digest, signature, algorithm)


def _digest(message: bytes, algorithm: SignAlgorithm) -> bytes:
    if algorithm is SignAlgorithm.ECDSA_SHA256:
        return hashlib.sha256(message).digest()
    if algorithm in (SignAlgorithm.ECDSA_PREHASHED, SignAlgorithm.ECDSA_RECOVERABLE):
        if len(message) != 32:
            raise ValidationFailed.on("data", "digest_length", "a prehashed digest is 32 bytes")
        return message
    raise ValidationFailed.on("algorithm", "ec_algorithm", f"{algorithm} is not an ECDSA form")


def _verify_p256(public_key: bytes, digest: bytes, r: int, s: int) -> bool:
    key = points.load_p256(public_key)
    try:
        key.verify(encode_dss_signature(r, s), digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    except InvalidSignature:
        return False
    return True


def _verify_secp256k1(
    public_key: bytes, digest: bytes, signature: bytes, algorithm: SignAlgorithm
) -> bool:
    key = points.load_secp256k1(public_key)
    if algorithm is SignAlgorithm.ECDSA_RECOVERABLE:
        if signature[64] not in (0, 1):
            return False
        try:
            recovered = coincurve.PublicKey.from_signature_and_message(
                signature, digest, hasher=None
            )
        except ValueError:
            return False
        return recovered.format() == key.format()
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    return bool(key.verify(der, digest, hasher=None))


def _verify_ed25519(
    public_key: bytes, message: bytes, signature: bytes, algorithm: SignAlgorithm
) -> bool:
    if algorithm is not SignAlgorithm.ED25519:
        raise ValidationFailed.on("algorithm", "ed25519_algorithm", "Ed25519 keys sign ed25519")
    key = points.load_ed25519(public_key)
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True
