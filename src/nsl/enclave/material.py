"""Private key material in memory (software provider): generate, load, sign, ECDH, public key.

The only module that touches raw secret bytes of asymmetric keys; instances never print them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import coincurve
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from nsl.core.enclave import EnclaveUnsupported, KeyType, SignAlgorithm
from nsl.core.errors import ValidationFailed
from nsl.enclave import points


@dataclass(frozen=True)
class PrivateKey:
    """One asymmetric key; ``secret`` is the raw scalar (EC) or seed (Ed25519)."""

    key_type: KeyType
    secret: bytes = field(repr=False)
    public_key: bytes
    handle: object = field(repr=False, compare=False)

    @classmethod
    def generate(cls, key_type: KeyType) -> PrivateKey:
        if key_type is KeyType.SECP256R1:
            p256 = ec.generate_private_key(ec.SECP256R1())
            return cls.load(key_type, p256.private_numbers().private_value.to_bytes(32, "big"))
        if key_type is KeyType.SECP256K1:
            return cls.load(key_type, coincurve.PrivateKey().secret)
        return cls.load(key_type, ed25519.Ed25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def load(cls, key_type: KeyType, secret: bytes) -> PrivateKey:
        if key_type is KeyType.SECP256R1:
            p256 = ec.derive_private_key(int.from_bytes(secret, "big"), ec.SECP256R1())
            return cls(key_type, secret, points.compressed_p256(p256.public_key()), p256)
        if key_type is KeyType.SECP256K1:
            k1 = coincurve.PrivateKey(secret)
            return cls(key_type, secret, k1.public_key.format(), k1)
        ed = ed25519.Ed25519PrivateKey.from_private_bytes(secret)
        return cls(key_type, secret, ed.public_key().public_bytes_raw(), ed)

    def sign(self, message: bytes, algorithm: SignAlgorithm) -> bytes:
        handle = self.handle
        if isinstance(handle, ed25519.Ed25519PrivateKey):
            if algorithm is not SignAlgorithm.ED25519:
                raise _unsupported(self.key_type, algorithm)
            return handle.sign(message)
        if algorithm is SignAlgorithm.ED25519:
            raise _unsupported(self.key_type, algorithm)
        digest = _digest(message, algorithm)
        if isinstance(handle, coincurve.PrivateKey):
            recoverable = handle.sign_recoverable(digest, hasher=None)  # low-s by construction
            return recoverable if algorithm is SignAlgorithm.ECDSA_RECOVERABLE else recoverable[:64]
        assert isinstance(handle, ec.EllipticCurvePrivateKey)
        if algorithm is SignAlgorithm.ECDSA_RECOVERABLE:
            raise _unsupported(self.key_type, algorithm)
        der = handle.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        return points.rs_from_der(der, points.P256_ORDER)

    def shared_x(self, peer_public: bytes) -> bytes:
        """The ECDH shared point's x-coordinate with ``peer_public`` (same curve)."""
        handle = self.handle
        if isinstance(handle, coincurve.PrivateKey):
            return (
                points.load_secp256k1(peer_public, "ciphertext").multiply(self.secret).format()[1:]
            )
        if isinstance(handle, ec.EllipticCurvePrivateKey):
            return handle.exchange(ec.ECDH(), points.load_p256(peer_public, "ciphertext"))
        raise EnclaveUnsupported("Ed25519 keys do not encrypt; use a secp256r1 or secp256k1 key")


def _digest(message: bytes, algorithm: SignAlgorithm) -> bytes:
    if algorithm is SignAlgorithm.ECDSA_SHA256:
        return hashlib.sha256(message).digest()
    if len(message) != 32:
        raise ValidationFailed.on("data", "digest_length", "a prehashed digest is 32 bytes")
    return message


def _unsupported(key_type: KeyType, algorithm: SignAlgorithm) -> EnclaveUnsupported:
    return EnclaveUnsupported(f"{key_type} keys do not sign with {algorithm}")
