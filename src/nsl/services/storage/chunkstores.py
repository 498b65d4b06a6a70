"""Where encrypted chunks live: the database (default) or a directory; one protocol for both.

Both stores hold opaque, already-encrypted bytes addressed by (version id, chunk index); they
neither know nor need the data key. ``put`` of an existing index replaces it.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from pathlib import Path
from typing import Protocol

from sqlalchemy import ColumnElement, Connection, and_, delete, insert, select

from nsl.core.ports import Database
from nsl.services.storage.errors import ChunkMissing
from nsl.services.storage.models import StorageChunk

_VERSION_ID = re.compile(r"^[0-9A-Z]{26}$")


class ChunkStore(Protocol):
    name: str

    async def put(self, version_id: str, index: int, data: bytes) -> None: ...

    async def get(self, version_id: str, index: int) -> bytes:
        """The chunk's bytes, or :class:`ChunkMissing`."""
        ...

    async def indexes(self, version_id: str) -> list[int]:
        """The chunk indexes stored for a version, ascending."""
        ...

    async def delete(self, version_id: str) -> None:
        """Remove every chunk of a version (nothing stored is fine)."""
        ...


def _missing(version_id: str, index: int) -> ChunkMissing:
    return ChunkMissing(f"chunk {index} of version {version_id} is missing from the chunk store")


class DatabaseChunkStore:
    """Chunks as rows of ``storage_chunks``: one backup, one transaction log, no second volume.

    Each call is one Core transaction in one hop (``run_in_transaction``): a chunk costs the
    database's own write, not an ORM session's round trips per statement.
    """

    name = "database"

    def __init__(self, database: Database) -> None:
        self.database = database

    async def put(self, version_id: str, index: int, data: bytes) -> None:
        def replace(conn: Connection) -> None:
            conn.execute(delete(StorageChunk).where(_chunk(version_id, index)))
            conn.execute(insert(StorageChunk).values(version_id=version_id, index=index, data=data))

        await self.database.run_in_transaction(replace)

    async def get(self, version_id: str, index: int) -> bytes:
        query = select(StorageChunk.data).where(_chunk(version_id, index))
        data = await self.database.run_in_transaction(
            lambda conn: conn.execute(query).scalar_one_or_none()
        )
        if data is None:
            raise _missing(version_id, index)
        return bytes(data)

    async def indexes(self, version_id: str) -> list[int]:
        query = (
            select(StorageChunk.index)
            .where(StorageChunk.version_id == version_id)
            .order_by(StorageChunk.index)
        )
        return await self.database.run_in_transaction(
            lambda conn: list(conn.execute(query).scalars().all())
        )

    async def delete(self, version_id: str) -> None:
        statement = delete(StorageChunk).where(StorageChunk.version_id == version_id)
        await self.database.run_in_transaction(lambda conn: conn.execute(statement))


def _chunk(version_id: str, index: int) -> ColumnElement[bool]:
    return and_(StorageChunk.version_id == version_id, StorageChunk.index == index)


class FilesystemChunkStore:
    """Chunks as files ``<root>/<id[-2:]>/<version id>/<index>``, written atomically
    (temporary file, fsync, rename); file I/O runs off the event loop."""

    name = "filesystem"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _dir(self, version_id: str) -> Path:
        if not _VERSION_ID.match(version_id):
            raise ValueError("a version id is 26 characters of Crockford base32")
        return self.root / version_id[-2:] / version_id

    async def put(self, version_id: str, index: int, data: bytes) -> None:
        await asyncio.to_thread(self._put, self._dir(version_id), index, data)

    async def get(self, version_id: str, index: int) -> bytes:
        path = self._dir(version_id) / str(index)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as exc:
            raise _missing(version_id, index) from exc

    async def indexes(self, version_id: str) -> list[int]:
        return await asyncio.to_thread(self._indexes, self._dir(version_id))

    async def delete(self, version_id: str) -> None:
        await asyncio.to_thread(shutil.rmtree, self._dir(version_id), True)

    @staticmethod
    def _put(directory: Path, index: int, data: bytes) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = directory / f".{index}.tmp"
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, directory / str(index))

    @staticmethod
    def _indexes(directory: Path) -> list[int]:
        if not directory.is_dir():
            return []
        return sorted(int(p.name) for p in directory.iterdir() if p.name.isdigit())


def chunk_store(kind: str, database: Database, root: Path) -> ChunkStore:
    if kind == "filesystem":
        return FilesystemChunkStore(root)
    return DatabaseChunkStore(database)
