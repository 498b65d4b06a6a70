"""AES-256-GCM sealing (legacy configuration blobs): format, nonces, refusal of wrong keys,
associated data or damage. Enclave sealing is covered by the enclave contract suite."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from nsl.core.sealing import AesGcmSealer, SealError
from nsl.services.configuration.codec import aad

KEY = bytes(range(32))


def test_seal_and_open_round_trip() -> None:
    sealer = AesGcmSealer(KEY)
    blob = sealer.seal(b"payload", b"aad")
    assert sealer.open(blob, b"aad") == b"payload"


def test_blob_is_version_nonce_ciphertext_readable_by_plain_aes_gcm() -> None:
    blob = AesGcmSealer(KEY).seal(b"payload", b"aad")
    assert blob[:2] == b"v1"
    nonce, ciphertext = blob[2:14], blob[14:]
    assert len(ciphertext) == len(b"payload") + 16
    assert AESGCM(KEY).decrypt(nonce, ciphertext, b"aad") == b"payload"


def test_nonces_are_random() -> None:
    sealer = AesGcmSealer(KEY)
    assert sealer.seal(b"same", b"aad")[2:14] != sealer.seal(b"same", b"aad")[2:14]


def test_wrong_key_aad_or_damage_is_refused() -> None:
    blob = AesGcmSealer(KEY).seal(b"payload", b"aad")
    with pytest.raises(SealError):
        AesGcmSealer(os.urandom(32)).open(blob, b"aad")
    with pytest.raises(SealError):
        AesGcmSealer(KEY).open(blob, b"other")
    damaged = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(SealError):
        AesGcmSealer(KEY).open(damaged, b"aad")
    with pytest.raises(SealError):
        AesGcmSealer(KEY).open(b"v2" + blob[2:], b"aad")
    with pytest.raises(SealError):
        AesGcmSealer(KEY).open(b"v1short", b"aad")


def test_key_must_be_32_bytes_and_is_never_shown() -> None:
    with pytest.raises(ValueError):
        AesGcmSealer(b"short")
    assert KEY.hex() not in repr(AesGcmSealer(KEY))


def test_associated_data_is_unambiguous() -> None:
    assert aad("test", "a", 12) != aad("test", "a1", 2)
    assert aad("test", "a", 1) != aad("tes", "ta", 1)
