"""The chunk format, checked against an independent AES-GCM (``cryptography``'s AESGCM used
directly) and hashlib: what we write opens only at its own version, index and last flag."""

from __future__ import annotations

import hashlib
import os

import pytest
import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from nsl.services.storage.codec import NONE, ZSTD, ChunkCodec, chunk_aad
from nsl.services.storage.errors import IntegrityFailure

KEY = bytes(range(32))
VERSION = "01HZZZZZZZZZZZZZZZZZZZZZZZ"


def test_a_sealed_chunk_is_nonce_then_aes_gcm_over_the_documented_aad() -> None:
    plain = os.urandom(4096)
    sealed = ChunkCodec(KEY, VERSION).seal(3, plain, last=False)
    assert len(sealed) == 12 + len(plain) + 16
    aad = f"nsl-storage|v1|{VERSION}|3|0".encode()
    assert chunk_aad(VERSION, 3, False) == aad
    assert AESGCM(KEY).decrypt(sealed[:12], sealed[12:], aad) == plain


def test_an_independent_encryption_opens_with_the_codec() -> None:
    nonce = os.urandom(12)
    plain = b"written elsewhere"
    stored = nonce + AESGCM(KEY).encrypt(nonce, plain, f"nsl-storage|v1|{VERSION}|0|1".encode())
    assert ChunkCodec(KEY, VERSION).open(0, stored, last=True) == plain


def test_compressed_chunks_are_zstd_frames_under_the_encryption() -> None:
    plain = b"abc" * 100_000
    codec = ChunkCodec(KEY, VERSION, compression=ZSTD)
    sealed = codec.seal(0, plain, last=True)
    body = AESGCM(KEY).decrypt(sealed[:12], sealed[12:], chunk_aad(VERSION, 0, True))
    assert zstandard.ZstdDecompressor().decompress(body) == plain
    assert len(sealed) < len(plain) // 100
    assert codec.open(0, sealed, last=True) == plain


@pytest.mark.parametrize("flip", [0, 11, 12, 40, -1])
def test_any_flipped_bit_is_refused(flip: int) -> None:
    codec = ChunkCodec(KEY, VERSION)
    stored = bytearray(codec.seal(0, b"x" * 100, last=True))
    stored[flip] ^= 1
    with pytest.raises(IntegrityFailure):
        codec.open(0, bytes(stored), last=True)
    with pytest.raises(InvalidTag):  # and an independent AES-GCM agrees
        AESGCM(KEY).decrypt(bytes(stored[:12]), bytes(stored[12:]), chunk_aad(VERSION, 0, True))


def test_a_chunk_opened_at_another_index_is_refused() -> None:
    codec = ChunkCodec(KEY, VERSION)
    first = codec.seal(0, b"first", last=False)
    with pytest.raises(IntegrityFailure):
        codec.open(1, first, last=False)


def test_a_chunk_not_sealed_as_last_cannot_end_the_object() -> None:
    """Truncation: dropping the tail leaves a last chunk that was sealed as not-last."""
    codec = ChunkCodec(KEY, VERSION)
    middle = codec.seal(1, b"middle", last=False)
    with pytest.raises(IntegrityFailure):
        codec.open(1, middle, last=True)


def test_a_chunk_of_another_version_or_key_is_refused() -> None:
    sealed = ChunkCodec(KEY, VERSION).seal(0, b"data", last=True)
    with pytest.raises(IntegrityFailure):
        ChunkCodec(KEY, "01HYYYYYYYYYYYYYYYYYYYYYYY").open(0, sealed, last=True)
    with pytest.raises(IntegrityFailure):
        ChunkCodec(os.urandom(32), VERSION).open(0, sealed, last=True)


def test_short_input_is_refused_not_crashed() -> None:
    with pytest.raises(IntegrityFailure):
        ChunkCodec(KEY, VERSION, compression=NONE).open(0, b"tiny", last=True)


def test_the_content_hash_is_plain_sha256_of_the_object() -> None:
    parts = [os.urandom(1000) for _ in range(3)]
    running = hashlib.sha256()
    for p in parts:
        running.update(p)
    assert running.hexdigest() == hashlib.sha256(b"".join(parts)).hexdigest()


def test_the_codec_repr_hides_the_key() -> None:
    assert KEY.hex() not in repr(ChunkCodec(KEY, VERSION))
