"""One contract for every storage chunk store: database (SQLite, PostgreSQL) and directory."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from nsl.core.ids import new_id
from nsl.core.metrics import Metrics
from nsl.core.settings import DatabaseSettings
from nsl.db.engine import Database
from nsl.db.migrate import upgrade
from nsl.services.storage.chunkstores import ChunkStore, DatabaseChunkStore, FilesystemChunkStore
from nsl.services.storage.errors import ChunkMissing


@pytest.fixture(params=["sqlite", "postgresql", "filesystem"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL, or ``filesystem``."""
    if request.param == "filesystem":
        return "filesystem"
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'nsl.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


@pytest.fixture
async def store(where: str, tmp_path: Path, metrics: Metrics) -> AsyncIterator[ChunkStore]:
    if where == "filesystem":
        yield FilesystemChunkStore(tmp_path / "chunks")
        return
    url = where
    await upgrade(url)
    database = Database(url, DatabaseSettings(pool_min=1, pool_max=3), metrics)
    yield DatabaseChunkStore(database)
    await database.dispose()


async def test_a_chunk_reads_back_exactly(store: ChunkStore) -> None:
    version = new_id()
    data = os.urandom(1024 * 1024 + 28)
    await store.put(version, 0, data)
    assert await store.get(version, 0) == data


async def test_chunks_are_kept_per_version_and_index(store: ChunkStore) -> None:
    first, second = new_id(), new_id()
    for index in (2, 0, 1):
        await store.put(first, index, f"{first}-{index}".encode())
    await store.put(second, 0, b"other")
    assert await store.indexes(first) == [0, 1, 2]
    assert await store.indexes(second) == [0]
    assert await store.get(first, 1) == f"{first}-1".encode()


async def test_put_again_replaces_the_chunk(store: ChunkStore) -> None:
    version = new_id()
    await store.put(version, 0, b"old")
    await store.put(version, 0, b"new")
    assert await store.get(version, 0) == b"new"
    assert await store.indexes(version) == [0]


async def test_a_missing_chunk_is_reported_not_invented(store: ChunkStore) -> None:
    version = new_id()
    with pytest.raises(ChunkMissing):
        await store.get(version, 0)
    await store.put(version, 0, b"x")
    with pytest.raises(ChunkMissing):
        await store.get(version, 1)


async def test_delete_removes_every_chunk_of_one_version_only(store: ChunkStore) -> None:
    doomed, kept = new_id(), new_id()
    for index in range(3):
        await store.put(doomed, index, b"d")
    await store.put(kept, 0, b"k")
    await store.delete(doomed)
    assert await store.indexes(doomed) == []
    with pytest.raises(ChunkMissing):
        await store.get(doomed, 0)
    assert await store.get(kept, 0) == b"k"
    await store.delete(doomed)  # deleting nothing is fine
    await store.delete(new_id())


async def test_an_empty_chunk_is_a_chunk(store: ChunkStore) -> None:
    version = new_id()
    await store.put(version, 0, b"")
    assert await store.get(version, 0) == b""
    assert await store.indexes(version) == [0]
