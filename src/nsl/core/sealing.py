"""Sealing: authenticated encryption of small secrets at rest (AES-256-GCM, versioned blobs).

A blob is ``b"v1" + 12-byte random nonce + ciphertext-with-tag``; the associated data binds it
to its owner (e.g. a record id) so a blob copied to another record does not open.
"""

from __future__ import annotations

import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from nsl.core.errors import NslError

VERSION = b"v1"
NONCE_BYTES = 12


class SealError(NslError):
    """A sealed blob that does not open: wrong key, wrong owner, tampered, or unknown format."""

    code = "sealing.invalid"
    title = "Sealed data cannot be opened"


class Sealer(Protocol):
    """Seals bytes so that only the holder of the key can open them."""

    def seal(self, plaintext: bytes, aad: bytes) -> bytes: ...

    def open(self, blob: bytes, aad: bytes) -> bytes: ...


class AesGcmSealer:
    """AES-256-GCM with a random 96-bit nonce per blob."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("an AES-256-GCM key is exactly 32 bytes")
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "AesGcmSealer(key=<hidden>)"

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, blob: bytes, aad: bytes) -> bytes:
        if not blob.startswith(VERSION) or len(blob) < len(VERSION) + NONCE_BYTES + 16:
            raise SealError("sealed blob has an unknown format", code="sealing.format")
        nonce = blob[len(VERSION) : len(VERSION) + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[len(VERSION) + NONCE_BYTES :], aad)
        except InvalidTag as exc:
            raise SealError("sealed blob failed authentication") from exc


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A 32-byte key for one ``purpose`` derived from a longer secret (HKDF-SHA256)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    return hkdf.derive(secret)
