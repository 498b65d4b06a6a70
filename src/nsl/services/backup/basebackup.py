"""PostgreSQL physical base backups: `pg_basebackup` (tar, WAL fetched in) into the BackupStore.

A base backup is self-contained (`-X fetch`: restorable without any `wal` object); the `wal`
objects shipped after it extend it to any later point. Its manifest (kind `database-base`)
records the WAL start/end, and row counts + checksums of every table of the service layer's
database taken in one snapshot right after the copy, with that snapshot's WAL position, so
`nsl backup verify` can restore exactly that point and compare.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import make_url

from nsl.core.settings import Settings
from nsl.services.backup.errors import BackupFailed, NotSupported
from nsl.services.backup.manifest import Manifest
from nsl.services.backup.pgcluster import find_bindir
from nsl.services.backup.store import BackupStore

BLOCK = 1 << 20
START_RE = re.compile(r"start point: ([0-9A-F]+/[0-9A-F]+) on timeline (\d+)")
END_RE = re.compile(r"end point: ([0-9A-F]+/[0-9A-F]+)")
FINGERPRINT_SQL = """
SELECT json_build_object('lsn', pg_current_wal_insert_lsn()::text, 'tables', coalesce((
  SELECT json_object_agg(name, json_build_object('rows', rows, 'checksum', checksum))
  FROM (
    SELECT s || '.' || n AS name,
      (xpath('/row/r/text()', x))[1]::text::bigint AS rows,
      coalesce((xpath('/row/h/text()', x))[1]::text, '') AS checksum
    FROM (
      SELECT table_schema AS s, table_name AS n, query_to_xml(format(
        'SELECT count(*) AS r, md5(string_agg(md5(t::text), '''' ORDER BY md5(t::text))) AS h
         FROM %I.%I t', table_schema, table_name), false, true, '') AS x
      FROM information_schema.tables
      WHERE table_type = 'BASE TABLE'
        AND table_schema NOT IN ('pg_catalog', 'information_schema')
    ) q
  ) per_table), '{}'::json))::text
"""


@dataclass(frozen=True)
class PgServer:
    """Where a PostgreSQL server listens and who to connect as (the password stays out of repr)."""

    host: str
    port: int
    user: str
    database: str
    password: str | None = None

    def __repr__(self) -> str:
        return f"PgServer({self.user}@{self.host}:{self.port}/{self.database})"

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, **extra}
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def args(self, database: str | None = None) -> list[str]:
        return ["-h", self.host, "-p", str(self.port), "-U", self.user, "-d", database or ""]


def server_from_settings(settings: Settings) -> PgServer:
    """The configured database server; physical backups need PostgreSQL."""
    if settings.database.url is None:
        raise NotSupported.on(
            "database.url", "postgresql", "physical backups need a PostgreSQL database"
        )
    url = make_url(settings.database.url.get_secret_value())
    if not url.drivername.startswith("postgres"):
        raise NotSupported.on(
            "database.url", "postgresql", "physical backups need a PostgreSQL database"
        )
    return PgServer(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        database=url.database or "postgres",
        password=url.password if isinstance(url.password, str) else None,
    )


def psql(bindir: Path, server: PgServer, sql: str, *, repeatable: bool = False) -> str:
    """One statement through psql (unaligned, tuples only); the password goes via env only."""
    args = [str(bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
    extra = (
        {"PGOPTIONS": "-c default_transaction_isolation=repeatable\\ read"} if repeatable else {}
    )
    done = subprocess.run(  # noqa: S603  # argv is ours, no shell
        [*args, *server.args(server.database), "-c", sql],
        capture_output=True,
        text=True,
        check=False,
        env=server.env(**extra),
        cwd="/",
    )
    if done.returncode != 0:
        raise BackupFailed(f"psql {server!r} failed: {done.stderr.strip()[-400:]}")
    return done.stdout.strip()


def fingerprint(bindir: Path, server: PgServer) -> dict[str, Any]:
    """Row count and an order-independent md5 of every table, in one snapshot, with its LSN."""
    result: dict[str, Any] = json.loads(psql(bindir, server, FINGERPRINT_SQL, repeatable=True))
    return result


def take_base_backup(settings: Settings, store: BackupStore) -> Manifest:
    """Run pg_basebackup against the configured server and store it as `database-base`."""
    server = server_from_settings(settings)
    bindir = find_bindir(settings.backup.pg_bindir)
    with tempfile.TemporaryFile() as tar, tempfile.TemporaryFile(mode="w+") as log:
        started = datetime.now(UTC)
        _run_basebackup(bindir, server, tar, log)
        ended = datetime.now(UTC)
        log.seek(0)
        details = _wal_positions(log.read())
        details.update(
            method="physical",
            database=server.database,
            backup_started_at=started.isoformat(),
            backup_ended_at=ended.isoformat(),
            server_version=psql(bindir, server, "SHOW server_version"),
        )
        snapshot = fingerprint(bindir, server)
        details["fingerprint_lsn"] = snapshot["lsn"]
        details["tables"] = snapshot["tables"]
        tar.seek(0)
        return store.write(
            "database-base", _blocks(tar), engine="postgresql", covers_until=ended, details=details
        )


def _run_basebackup(bindir: Path, server: PgServer, out: IO[bytes], log: IO[str]) -> None:
    args = [str(bindir / "pg_basebackup"), "-D", "-", "-F", "tar", "-X", "fetch"]
    args += ["--checkpoint=fast", "-v", "-h", server.host, "-p", str(server.port)]
    args += ["-U", server.user, "-w"]
    done = subprocess.run(args, stdout=out, stderr=log, env=server.env(), check=False, cwd="/")  # noqa: S603  # argv is ours, no shell
    if done.returncode != 0:
        log.seek(0)
        raise BackupFailed(f"pg_basebackup {server!r} failed: {log.read().strip()[-600:]}")


def _wal_positions(log: str) -> dict[str, Any]:
    start, end = START_RE.search(log), END_RE.search(log)
    if start is None or end is None:
        raise BackupFailed("pg_basebackup did not report its WAL start and end points")
    timeline = int(start.group(2))
    return {
        "start_lsn": start.group(1),
        "timeline": timeline,
        "start_segment": segment_name(timeline, start.group(1)),
        "end_lsn": end.group(1),
    }


def segment_name(timeline: int, lsn: str, segment_bytes: int = 16 * 1024 * 1024) -> str:
    """The WAL file name holding ``lsn`` (as pg_walfile_name, default 16 MiB segments)."""
    high, low = (int(part, 16) for part in lsn.split("/"))
    number = ((high << 32) | low) // segment_bytes
    per_xlogid = 0x100000000 // segment_bytes
    return f"{timeline:08X}{number // per_xlogid:08X}{number % per_xlogid:08X}"


def _blocks(stream: IO[bytes]) -> Iterator[bytes]:
    while block := stream.read(BLOCK):
        yield block
