"""The chunk format: optional zstd, then AES-256-GCM under the version's data key.

Stored chunk = ``nonce(12) ‖ ciphertext ‖ tag(16)``. The associated data binds each chunk to
its version, position and whether it is the last one, so chunks cannot be reordered, dropped
from the end, or moved to another object or version without failing authentication.
"""

from __future__ import annotations

import os

import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from nsl.services.storage.errors import IntegrityFailure

NONCE_BYTES = 12
TAG_BYTES = 16
FORMAT = "v1"
NONE, ZSTD = "none", "zstd"


def chunk_aad(version_id: str, index: int, last: bool) -> bytes:
    return f"nsl-storage|{FORMAT}|{version_id}|{index}|{int(last)}".encode()


def key_aad(owner_id: str, version_id: str) -> bytes:
    """What the wrapped data key is bound to."""
    return f"nsl-storage-key|{FORMAT}|{owner_id}|{version_id}".encode()


class ChunkCodec:
    """Seals and opens the chunks of one version (one data key)."""

    def __init__(
        self,
        data_key: bytes,
        version_id: str,
        *,
        compression: str = NONE,
        level: int = 3,
        chunk_bytes: int = 1024 * 1024,
    ) -> None:
        self._aead = AESGCM(data_key)
        self.version_id = version_id
        self.compression = compression
        self._chunk_bytes = chunk_bytes
        self._compressor = zstandard.ZstdCompressor(level=level) if compression == ZSTD else None
        self._decompressor = zstandard.ZstdDecompressor() if compression == ZSTD else None

    def __repr__(self) -> str:
        return f"ChunkCodec(version={self.version_id}, key=<hidden>)"

    def seal(self, index: int, plaintext: bytes, *, last: bool) -> bytes:
        body = self._compressor.compress(plaintext) if self._compressor else plaintext
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, body, chunk_aad(self.version_id, index, last))

    def open(self, index: int, stored: bytes, *, last: bool) -> bytes:
        """The chunk's plaintext, or :class:`IntegrityFailure` (nothing partial is returned)."""
        if len(stored) < NONCE_BYTES + TAG_BYTES:
            raise self._failure(index, "is too short")
        aad = chunk_aad(self.version_id, index, last)
        try:
            body = self._aead.decrypt(stored[:NONCE_BYTES], stored[NONCE_BYTES:], aad)
        except InvalidTag as exc:
            raise self._failure(index, "fails authentication") from exc
        if self._decompressor is None:
            return body
        try:
            return self._decompressor.decompress(body, max_output_size=self._chunk_bytes)
        except zstandard.ZstdError as exc:
            raise self._failure(index, "does not decompress") from exc

    def _failure(self, index: int, what: str) -> IntegrityFailure:
        return IntegrityFailure(
            f"chunk {index} of version {self.version_id} {what}: the stored object is damaged"
        )
