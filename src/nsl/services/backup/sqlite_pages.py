"""SQLite page images: snapshots, per-page hashes and the ``sqlite-pages-v1`` payload.

Payload = ``MAGIC ‖ u32 header length ‖ header JSON`` then, for a full, every page in order,
for an incremental, ``u32 page number ‖ page`` for each changed page; then the page map
(BLAKE2b-64 of every page of the snapshot) so the next incremental can diff against it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from nsl.services.backup.errors import BackupIntegrity

MAGIC = b"NSLSQLP1"
HASH = 8
_U32 = struct.Struct(">I")


def snapshot(source: Path, into: Path) -> None:
    """A consistent copy of a live database through SQLite's online backup API."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(into)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def geometry(path: Path) -> tuple[int, int]:
    """(page size, page count) of a database file."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
        page_count = int(connection.execute("PRAGMA page_count").fetchone()[0])
        return page_size, page_count
    finally:
        connection.close()


def page_map(path: Path, page_size: int) -> bytes:
    out = bytearray()
    with open(path, "rb") as handle:
        while page := handle.read(page_size):
            out += hashlib.blake2b(page, digest_size=HASH).digest()
    return bytes(out)


def _header(meta: dict[str, Any]) -> bytes:
    raw = json.dumps(meta, sort_keys=True).encode()
    return MAGIC + _U32.pack(len(raw)) + raw


def full_payload(path: Path, page_size: int, pages: bytes) -> Iterator[bytes]:
    yield _header({"type": "full", "page_size": page_size, "page_count": len(pages) // HASH})
    with open(path, "rb") as handle:
        while block := handle.read(page_size * 256):
            yield block
    yield pages


def incremental_payload(
    path: Path, page_size: int, old: bytes, new: bytes
) -> tuple[list[int], Iterator[bytes]]:
    count = len(new) // HASH
    changed = [
        i for i in range(count) if new[i * HASH : (i + 1) * HASH] != old[i * HASH : (i + 1) * HASH]
    ]

    def stream() -> Iterator[bytes]:
        meta = {"type": "incremental", "page_size": page_size, "page_count": count}
        yield _header({**meta, "changed": len(changed)})
        with open(path, "rb") as handle:
            for index in changed:
                handle.seek(index * page_size)
                yield _U32.pack(index + 1) + handle.read(page_size)
        yield new

    return changed, stream()


class PayloadReader:
    def __init__(self, source: Iterable[bytes]) -> None:
        self._source = iter(source)
        self._buffer = bytearray()

    def take(self, size: int) -> bytes:
        while len(self._buffer) < size:
            piece = next(self._source, None)
            if piece is None:
                raise BackupIntegrity("database payload ended early")
            self._buffer += piece
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def header(self) -> dict[str, Any]:
        if self.take(len(MAGIC)) != MAGIC:
            raise BackupIntegrity("not a sqlite-pages-v1 payload")
        (length,) = _U32.unpack(self.take(_U32.size))
        meta: dict[str, Any] = json.loads(self.take(length))
        return meta


def apply(source: Iterable[bytes], handle: BinaryIO) -> tuple[dict[str, Any], bytes]:
    """Write a payload's pages into an open file; returns its header and page map."""
    reader = PayloadReader(source)
    meta = reader.header()
    size, count = int(meta["page_size"]), int(meta["page_count"])
    if meta["type"] == "full":
        handle.seek(0)
        for _ in range(count):
            handle.write(reader.take(size))
    else:
        for _ in range(int(meta["changed"])):
            (number,) = _U32.unpack(reader.take(_U32.size))
            if not 1 <= number <= count:
                raise BackupIntegrity(f"page number {number} outside the database")
            handle.seek((number - 1) * size)
            handle.write(reader.take(size))
    handle.truncate(size * count)
    return meta, reader.take(count * HASH)


def read_page_map(source: Iterable[bytes]) -> tuple[int, bytes]:
    """(page size, page map) of a payload, skipping its pages."""
    reader = PayloadReader(source)
    meta = reader.header()
    size, count = int(meta["page_size"]), int(meta["page_count"])
    if meta["type"] == "full":
        for _ in range(count):
            reader.take(size)
    else:
        for _ in range(int(meta["changed"])):
            reader.take(_U32.size + size)
    return size, reader.take(count * HASH)
