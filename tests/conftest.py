"""Shared fixtures: real backends (SQLite, PostgreSQL, Redis, RabbitMQ), isolated per run.

A backend that cannot be reached is a skip on a laptop and a failure under ``CI=true``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sqlite3
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from nsl.core.metrics import Metrics
from nsl.core.settings import DatabaseSettings
from tests.devchains import dev_chains  # noqa: F401  # the session's real dev chains

RUN_ID = uuid.uuid4().hex[:10]
PG_ADMIN_URL = os.environ.get("NSL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("NSL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RABBITMQ_URL = os.environ.get("NSL_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_backend(name: str, port: int) -> None:
    """Skip (laptop) or fail (CI) when a backend's port does not answer."""
    if _reachable("127.0.0.1", port):
        return
    message = f"{name} is not reachable on 127.0.0.1:{port}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: backends are mandatory)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def run_id() -> str:
    return RUN_ID


@pytest.fixture
def metrics() -> Metrics:
    return Metrics("test", "test")


async def _create_pg_database(name: str, template: str | None = None) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        copy = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await conn.close()


async def _drop_pg_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test run's own, dropped at the end."""
    require_backend("PostgreSQL", 5432)
    name = f"nsl_test_{RUN_ID}"
    asyncio.run(_create_pg_database(name))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    asyncio.run(_drop_pg_database(name))


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """A PostgreSQL database for one test only."""
    require_backend("PostgreSQL", 5432)
    name = f"nsl_test_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    asyncio.run(_create_pg_database(name))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    asyncio.run(_drop_pg_database(name))


@pytest.fixture
def pg_workdir() -> Iterator[Path]:
    """A directory under /tmp the postgres OS user can traverse (pytest's tmp_path is 0700 for
    root): where private PostgreSQL clusters, their spools and drills live."""
    path = Path(tempfile.mkdtemp(prefix="nsl-pg-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def redis_url() -> str:
    require_backend("Redis", 6379)
    return REDIS_URL


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix no other test (or run) shares."""
    return f"nsltest:{RUN_ID}:{uuid.uuid4().hex[:6]}:"


@pytest.fixture
def rabbitmq_url() -> str:
    require_backend("RabbitMQ", 5672)
    return RABBITMQ_URL


def _migrate(url: str) -> None:
    from nsl.db.migrate import upgrade

    asyncio.run(upgrade(url.replace("postgresql://", "postgresql+asyncpg://", 1)))


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per run; tests start from copies of it."""
    path = tmp_path_factory.mktemp("template") / "nsl.db"
    _migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def migrated_postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated to head once per run, the template of per-test copies."""
    require_backend("PostgreSQL", 5432)
    name = f"nsl_test_{RUN_ID}_template"
    asyncio.run(_create_pg_database(name))
    _migrate(f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}")
    yield name
    asyncio.run(_drop_pg_database(name))


def _copy_sqlite(template: Path, path: Path) -> str:
    """A copy of ``template`` at ``path`` made with SQLite's backup API; its URL."""
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(path)) as target:
        source.backup(target)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def migrated_sqlite_url(migrated_sqlite_template: Path, tmp_path: Path) -> str:
    """A SQLite file of one test (``tmp_path/nsl.db``), already migrated to head."""
    return _copy_sqlite(migrated_sqlite_template, tmp_path / "nsl.db")


@pytest.fixture
def migrated_data_dir(migrated_sqlite_template: Path, tmp_path: Path) -> Path:
    """``tmp_path/var``, the harnesses' data dir, holding the embedded default database
    (``nsl.db``) already migrated to head: a runtime started on it finds nothing to upgrade."""
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o700)
    _copy_sqlite(migrated_sqlite_template, data_dir / "nsl.db")
    return data_dir


@pytest.fixture
def migrated_postgres_url(migrated_postgres_template: str) -> Iterator[str]:
    """A PostgreSQL database of one test, already migrated to head (a copy of the template)."""
    name = f"nsl_test_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    asyncio.run(_create_pg_database(name, template=migrated_postgres_template))
    yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    asyncio.run(_drop_pg_database(name))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite (a file in tmp) and on PostgreSQL (a database per test), both
    migrated to head (``tests/integration/test_migrations.py`` runs the migrations themselves)."""
    fixture = "migrated_sqlite_url" if request.param == "sqlite" else "migrated_postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
async def database(database_url: str, metrics: Metrics) -> AsyncIterator[object]:
    """A migrated database (SQLite or PostgreSQL) with every table."""
    from nsl.db.engine import Database

    url = database_url.replace("postgresql://", "postgresql+asyncpg://", 1)
    db = Database(url, DatabaseSettings(pool_min=2, pool_max=5), metrics)
    yield db
    await db.dispose()
