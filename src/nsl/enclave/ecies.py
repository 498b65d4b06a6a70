"""ECIES for EC keys, and the export format built on it.

Blob ``nsl-ecies-v1``: ``0x01 ‖ ephemeral public key (33 bytes, compressed, same curve) ‖
nonce (12) ‖ AES-256-GCM ciphertext+tag``. The AES key is HKDF-SHA256 (no salt) of the ECDH
shared x-coordinate with info ``b"nsl-ecies-v1|" + curve name + b"|" + ephemeral ‖ recipient``
(both compressed). Caller associated data is passed to AES-GCM unchanged.

Export (``nsl-export-v1``): the key's raw private scalar (32 bytes; Ed25519: the 32-byte seed)
ECIES-encrypted to the caller's P-256 public key, with associated data
``b"nsl-export-v1|" + key type``. A caller unwraps it with any ECDH + HKDF + AES-GCM library.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import coincurve
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from nsl.core.enclave import EnclaveDecryptFailed, KeyType
from nsl.core.errors import ValidationFailed
from nsl.enclave import points

VERSION = b"\x01"
POINT = 33
NONCE = 12


def export_aad(key_type: KeyType) -> bytes:
    return b"nsl-export-v1|" + key_type.value.encode()


def encrypt(key_type: KeyType, recipient: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt to ``recipient`` (a public key of ``key_type``)."""
    if key_type is KeyType.SECP256R1:
        peer = points.load_p256(recipient)
        ephemeral = ec.generate_private_key(ec.SECP256R1())
        shared = ephemeral.exchange(ec.ECDH(), peer)
        ephemeral_public = points.compressed_p256(ephemeral.public_key())
        recipient_compressed = points.compressed_p256(peer)
    elif key_type is KeyType.SECP256K1:
        peer_k1 = points.load_secp256k1(recipient)
        ephemeral_k1 = coincurve.PrivateKey()
        shared = peer_k1.multiply(ephemeral_k1.secret).format()[1:]
        ephemeral_public = ephemeral_k1.public_key.format()
        recipient_compressed = peer_k1.format()
    else:
        raise ValidationFailed.on("key_type", "ec_key", "encryption needs a secp256r1/k1 key")
    key = _derive(key_type, shared, ephemeral_public, recipient_compressed)
    nonce = os.urandom(NONCE)
    return VERSION + ephemeral_public + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(
    key_type: KeyType,
    recipient: bytes,
    blob: bytes,
    aad: bytes,
    shared_x: Callable[[bytes], bytes],
) -> bytes:
    """Open a blob; ``shared_x(ephemeral_public)`` is the ECDH x-coordinate from the enclave."""
    if not blob.startswith(VERSION) or len(blob) < 1 + POINT + NONCE + 16:
        raise ValidationFailed.on("ciphertext", "ecies_format", "not an nsl-ecies-v1 ciphertext")
    ephemeral_public = blob[1 : 1 + POINT]
    nonce = blob[1 + POINT : 1 + POINT + NONCE]
    key = _derive(key_type, shared_x(ephemeral_public), ephemeral_public, recipient)
    try:
        return AESGCM(key).decrypt(nonce, blob[1 + POINT + NONCE :], aad)
    except InvalidTag as exc:
        raise EnclaveDecryptFailed(
            "ciphertext failed authentication (tampered, other key, or other context)"
        ) from exc


def _derive(key_type: KeyType, shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    info = b"nsl-ecies-v1|" + key_type.value.encode() + b"|" + ephemeral + recipient
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)
