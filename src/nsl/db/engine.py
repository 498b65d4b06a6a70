"""One async engine per host: SQLite (WAL) in the data dir by default, PostgreSQL by URL."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import QueuePool

from nsl.core.errors import Unavailable
from nsl.core.health import Check, Status
from nsl.core.metrics import Metrics
from nsl.core.settings import DatabaseSettings

log = logging.getLogger(__name__)

T = TypeVar("T")
SQLITE_TURN_TIMEOUT_S = 30.0  # as SQLite's own busy timeout


def database_url(settings: DatabaseSettings, data_dir: Path) -> str:
    """The async SQLAlchemy URL: the configured one, or SQLite in the data dir."""
    if settings.url is not None:
        url = settings.url.get_secret_value()
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+asyncpg://" + url.split("://", 1)[1]
        return url
    return f"sqlite+aiosqlite:///{(data_dir / 'nsl.db').resolve()}"


class Database:
    """Engine, session factory, pool metrics and a health check."""

    def __init__(
        self, url: str, settings: DatabaseSettings, metrics: Metrics | None = None
    ) -> None:
        self.url = url
        self.dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        self._metrics = metrics
        kwargs: dict[str, Any] = {}
        if self.dialect == "postgresql":
            kwargs.update(
                pool_size=settings.pool_min,
                max_overflow=max(settings.pool_max - settings.pool_min, 0),
                pool_recycle=settings.pool_idle_timeout_s,
                pool_timeout=settings.pool_timeout_s,
                pool_pre_ping=True,
            )
        else:
            kwargs.update(connect_args={"timeout": 30})
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._turn: asyncio.Lock | None = None
        self._blocking_engine: Engine | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._turn_loop: asyncio.AbstractEventLoop | None = None
        self._engine_hooks: list[Callable[[Engine], None]] = []

    def on_engine(self, hook: Callable[[Engine], None]) -> None:
        """Apply ``hook`` (e.g. event listeners) to every engine of this database, the blocking
        SQLite one included when it is made later."""
        self._engine_hooks.append(hook)
        hook(self.engine.sync_engine)
        if self._blocking_engine is not None:
            hook(self._blocking_engine)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A transaction: commit when the block succeeds, roll back when it raises."""
        try:
            if self.dialect == "sqlite":
                async with self._sqlite_turn(), self.sessions.begin() as session:
                    yield session
            else:
                async with self.sessions.begin() as session:
                    yield session
        except (OSError, SQLAlchemyError) as exc:
            if _is_connectivity(exc):
                raise Unavailable("the database is unreachable", code="db.unavailable") from exc
            raise

    @asynccontextmanager
    async def _sqlite_turn(self) -> AsyncIterator[None]:
        """One SQLite transaction at a time in this process.

        Every transaction takes SQLite's write lock (``BEGIN IMMEDIATE``); pooled connections
        contending for it would wait in SQLite's sleeping busy handler (1, 2, 5, 10... ms),
        which under concurrent load costs far more than the transactions. Queuing them here
        hands the lock over at once. Other processes still meet the busy timeout.
        """
        loop = asyncio.get_running_loop()
        if self._turn is None or self._turn_loop is not loop:
            self._turn, self._turn_loop = asyncio.Lock(), loop
        try:
            await asyncio.wait_for(self._turn.acquire(), SQLITE_TURN_TIMEOUT_S)
        except TimeoutError as exc:
            raise Unavailable(
                "the SQLite database stayed busy (is a transaction waiting on another one in "
                "the same task?)",
                code="db.busy",
            ) from exc
        try:
            yield
        finally:
            self._turn.release()

    async def health(self) -> Check:
        started = time.perf_counter()
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except (OSError, SQLAlchemyError) as exc:
            return Check("database", Status.DOWN, type(exc).__name__, backend=self.dialect)
        finally:
            self._record_pool()
        ms = (time.perf_counter() - started) * 1000
        return Check("database", Status.OK, f"{ms:.1f} ms", backend=self.dialect)

    def _record_pool(self) -> None:
        pool = self.engine.pool
        if self._metrics is None or not isinstance(pool, QueuePool):
            return
        self._metrics.db_pool.labels("size").set(pool.size())
        self._metrics.db_pool.labels("checked_out").set(pool.checkedout())
        self._metrics.db_pool.labels("idle").set(pool.checkedin())

    async def run_in_transaction(self, work: Callable[[Connection], T]) -> T:
        """Run blocking Core ``work`` in one transaction, off the event loop.

        On SQLite the whole transaction is one hop to a dedicated thread with its own blocking
        connection (the async driver would hop per statement), taken in turn with the
        sessions. On PostgreSQL it runs on an async connection through SQLAlchemy's greenlet
        bridge.
        """
        if self.dialect != "sqlite":
            async with self.engine.begin() as conn:
                return await conn.run_sync(work)
        async with self._sqlite_turn():
            loop = asyncio.get_running_loop()
            context = contextvars.copy_context()  # the caller's trace follows it to the thread
            return await loop.run_in_executor(
                self._blocking_executor(), context.run, self._blocking, work
            )

    def _blocking(self, work: Callable[[Connection], T]) -> T:
        if self._blocking_engine is None:
            url = self.url.replace("sqlite+aiosqlite://", "sqlite://", 1)
            engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
            for hook in self._engine_hooks:
                hook(engine)
            self._blocking_engine = engine
        with self._blocking_engine.begin() as conn:
            return work(conn)

    def _blocking_executor(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="nsl-sqlite")
        return self._executor

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._blocking_engine is not None:
            self._blocking_engine.dispose()
            self._blocking_engine = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (see _sqlite_begin).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    """Take the write lock when a transaction starts, so read-then-write sessions are serialised.

    The sqlite3 module otherwise starts a transaction only at the first write, which lets two
    sessions read the same row and both write (a lost update). Sessions are short, and WAL
    keeps readers outside transactions unblocked.
    """
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _is_connectivity(exc: BaseException) -> bool:
    if isinstance(exc, OSError | ConnectionError):
        return True
    orig = getattr(exc, "orig", None)
    return (
        isinstance(orig, OSError | ConnectionError) or "connection" in type(orig).__name__.lower()
    )
