"""The object format: zstd stream cut into 1 MiB chunks, each sealed with AES-256-GCM.

Object = ``MAGIC`` then frames ``u32 length ‖ ciphertext+tag``. Chunk ``i`` uses nonce
``i`` (12 bytes big-endian; the data key is fresh per backup) and associated data
``b"nsl-backup-v1|" + id + b"|" + u64 i + final flag byte``: chunks cannot be reordered,
moved to another backup, dropped from the end (the last frame must carry final=1) or padded.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator

import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from nsl.services.backup.errors import BackupIntegrity

MAGIC = b"NSLBAK1\n"
CHUNK = 1 << 20
TAG = 16
_LENGTH = struct.Struct(">I")


def _aad(backup_id: str, index: int, final: bool) -> bytes:
    return b"nsl-backup-v1|" + backup_id.encode() + b"|" + struct.pack(">QB", index, final)


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


class Sealed:
    """Counts the plain bytes it saw while turning a plain stream into object bytes."""

    def __init__(self, backup_id: str, data_key: bytes, level: int = 3) -> None:
        self._id = backup_id
        self._aead = AESGCM(data_key)
        self._level = level
        self.plain_bytes = 0

    def stream(self, source: Iterable[bytes]) -> Iterator[bytes]:
        yield MAGIC
        compressor = zstandard.ZstdCompressor(level=self._level).compressobj()
        pending = bytearray()
        index = 0
        for piece in source:
            self.plain_bytes += len(piece)
            pending += compressor.compress(piece)
            while len(pending) > CHUNK:  # keep at least one byte back: the final frame
                yield self._frame(index, bytes(pending[:CHUNK]), final=False)
                del pending[:CHUNK]
                index += 1
        pending += compressor.flush()
        while len(pending) > CHUNK:
            yield self._frame(index, bytes(pending[:CHUNK]), final=False)
            del pending[:CHUNK]
            index += 1
        yield self._frame(index, bytes(pending), final=True)

    def _frame(self, index: int, chunk: bytes, *, final: bool) -> bytes:
        sealed = self._aead.encrypt(_nonce(index), chunk, _aad(self._id, index, final))
        return _LENGTH.pack(len(sealed)) + sealed


def opened(backup_id: str, data_key: bytes, raw: Iterable[bytes]) -> Iterator[bytes]:
    """Plain bytes of an object; raises ``backup.integrity`` at the first bad frame or end."""
    aead = AESGCM(data_key)
    decompressor = zstandard.ZstdDecompressor().decompressobj()
    reader = _Reader(raw)
    if reader.take(len(MAGIC)) != MAGIC:
        raise BackupIntegrity(f"backup {backup_id}: not an nsl-backup-v1 object")
    index = 0
    while True:
        header = reader.take(_LENGTH.size)
        if len(header) < _LENGTH.size:
            raise BackupIntegrity(f"backup {backup_id}: truncated (no final chunk)")
        (length,) = _LENGTH.unpack(header)
        if length < TAG or length > CHUNK + TAG:
            raise BackupIntegrity(f"backup {backup_id}: chunk {index} has a bad length")
        sealed = reader.take(length)
        if len(sealed) < length:
            raise BackupIntegrity(f"backup {backup_id}: truncated in chunk {index}")
        chunk, final = _open_chunk(aead, backup_id, index, sealed)
        try:
            plain = decompressor.decompress(chunk)
        except zstandard.ZstdError as exc:
            raise BackupIntegrity(f"backup {backup_id}: bad compressed data") from exc
        if plain:
            yield plain
        if final:
            if reader.take(1):
                raise BackupIntegrity(f"backup {backup_id}: data after the final chunk")
            if not decompressor.eof:
                raise BackupIntegrity(f"backup {backup_id}: compressed stream incomplete")
            return
        index += 1


def _open_chunk(aead: AESGCM, backup_id: str, index: int, sealed: bytes) -> tuple[bytes, bool]:
    for final in (False, True):
        try:
            return aead.decrypt(_nonce(index), sealed, _aad(backup_id, index, final)), final
        except InvalidTag:
            continue
    raise BackupIntegrity(f"backup {backup_id}: chunk {index} failed authentication")


class _Reader:
    def __init__(self, raw: Iterable[bytes]) -> None:
        self._source = iter(raw)
        self._buffer = bytearray()

    def take(self, size: int) -> bytes:
        while len(self._buffer) < size:
            piece = next(self._source, None)
            if piece is None:
                break
            self._buffer += piece
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out
