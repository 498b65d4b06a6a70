"""AES-256-GCM sealing of small secrets: versioned blobs bound to their owner."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from nsl.core.sealing import AesGcmSealer, SealError, derive_key

KEY = bytes(range(32))


def test_round_trip_and_blob_format() -> None:
    sealer = AesGcmSealer(KEY)
    blob = sealer.seal(b"JBSWY3DPEHPK3PXP", b"owner-1")
    assert blob.startswith(b"v1") and len(blob) == 2 + 12 + 16 + 16
    assert sealer.open(blob, b"owner-1") == b"JBSWY3DPEHPK3PXP"
    # an independent AES-GCM implementation opens it with the documented layout
    assert AESGCM(KEY).decrypt(blob[2:14], blob[14:], b"owner-1") == b"JBSWY3DPEHPK3PXP"
    assert sealer.seal(b"same", b"a") != sealer.seal(b"same", b"a")


def test_wrong_owner_key_or_tampering_does_not_open() -> None:
    sealer = AesGcmSealer(KEY)
    blob = sealer.seal(b"secret", b"owner-1")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    for attempt in (
        lambda: sealer.open(blob, b"owner-2"),
        lambda: AesGcmSealer(os.urandom(32)).open(blob, b"owner-1"),
        lambda: sealer.open(tampered, b"owner-1"),
        lambda: sealer.open(b"v2" + blob[2:], b"owner-1"),
        lambda: sealer.open(b"v1short", b"owner-1"),
    ):
        with pytest.raises(SealError):
            attempt()


def test_key_must_be_32_bytes_and_is_not_in_repr() -> None:
    with pytest.raises(ValueError):
        AesGcmSealer(b"short")
    assert KEY.hex() not in repr(AesGcmSealer(KEY))


def test_derived_keys_differ_by_purpose() -> None:
    assert derive_key(b"x" * 64, "a") != derive_key(b"x" * 64, "b")
    assert len(derive_key(b"x" * 64, "a")) == 32
