"""Which database the platform uses (SQLite file or PostgreSQL) and how to reach it.

PostgreSQL connection parameters go to client tools through ``PG*`` environment variables
(``PGPASSWORD`` for the password), never on a command line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from nsl.core.settings import Settings
from nsl.db.engine import database_url
from nsl.services.backup.errors import InvalidInput


@dataclass(frozen=True)
class PgConn:
    host: str
    port: int
    user: str
    database: str
    password: str | None = field(default=None, repr=False)

    def env(self) -> dict[str, str]:
        """The environment for ``pg_dump``/``pg_restore``/``psql`` (password included)."""
        env = dict(os.environ)
        env.update(PGHOST=self.host, PGPORT=str(self.port), PGUSER=self.user)
        env["PGDATABASE"] = self.database
        env.pop("PGPASSWORD", None)
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        return env

    def with_database(self, name: str) -> PgConn:
        return replace(self, database=name)

    def connect_kwargs(self) -> dict[str, object]:
        """Keyword arguments for ``asyncpg.connect``."""
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "database": self.database,
        }


@dataclass(frozen=True)
class DatabaseSource:
    engine: str  # "sqlite" | "postgresql"
    sqlite_path: Path | None = None
    pg: PgConn | None = None


def database_source(settings: Settings) -> DatabaseSource:
    """The configured database (``NSL_DATABASE__URL``; empty means SQLite in the data dir)."""
    return parse_database(database_url(settings.database, Path(settings.data_dir)))


def parse_database(text: str) -> DatabaseSource:
    """A SQLAlchemy/libpq URL or a SQLite file path."""
    if text.startswith("sqlite"):
        path = text.split(":///", 1)[1] if ":///" in text else ""
        if not path:
            raise InvalidInput.on("target", "sqlite_path", "a SQLite URL needs a file path")
        return DatabaseSource("sqlite", sqlite_path=Path(path))
    if "://" not in text:
        return DatabaseSource("sqlite", sqlite_path=Path(text))
    parts = urlsplit(text)
    if not parts.scheme.startswith("postgres"):
        raise InvalidInput.on("target", "scheme", "expected a postgresql:// URL or a file path")
    database = parts.path.lstrip("/")
    if not database:
        raise InvalidInput.on("target", "database", "the PostgreSQL URL names no database")
    return DatabaseSource(
        "postgresql",
        pg=PgConn(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            database=unquote(database),
            password=unquote(parts.password) if parts.password is not None else None,
        ),
    )
