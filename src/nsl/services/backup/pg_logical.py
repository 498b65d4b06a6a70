"""PostgreSQL logical backups: ``pg_dump -Fc`` in an exported snapshot, ``pg_restore`` back.

The per-table checksums are computed in the same snapshot the dump reads, so a verify restore
must match them exactly. Connection details (and the password) travel in ``PG*`` variables.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from nsl.services.backup import checksums
from nsl.services.backup.errors import BackupFailed, BackupIntegrity, TargetNotEmpty
from nsl.services.backup.manifest import Manifest
from nsl.services.backup.source import PgConn
from nsl.services.backup.store import BackupStore

READ = 1 << 20
SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"


def tool(store: BackupStore, name: str) -> str:
    bindir = store.settings.backup.pg_bindir
    found = str(bindir / name) if bindir else shutil.which(name)
    if not found:
        raise BackupFailed(f"{name} not found (set NSL_BACKUP__PG_BINDIR)")
    return found


def _dump_stream(command: list[str], env: dict[str, str]) -> Iterator[bytes]:
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - fixed tool, no shell, no secrets in args
            command, env=env, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL
        )
        assert process.stdout is not None
        try:
            while block := process.stdout.read(READ):
                yield block
        finally:
            process.stdout.close()
            code = process.wait()
        if code != 0:
            errors.seek(0)
            tail = errors.read()[-600:].decode(errors="replace").strip()
            raise BackupFailed(f"pg_dump exited with {code}: {tail}")


async def backup(store: BackupStore, conn: PgConn, now: datetime) -> Manifest:
    connection = await asyncpg.connect(**conn.connect_kwargs())
    try:
        transaction = connection.transaction(isolation="repeatable_read", readonly=True)
        await transaction.start()
        covers = now.astimezone(UTC)
        snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
        tables = await checksums.pg_tables(connection)
        command = [tool(store, "pg_dump"), "-Fc", "--no-owner", f"--snapshot={snapshot}"]
        details: dict[str, Any] = {"tables": tables, "method": "logical", "database": conn.database}
        manifest = await asyncio.to_thread(
            store.write,
            "database-full",
            _dump_stream(command, conn.env()),
            engine="postgresql",
            covers_until=covers,
            details=details,
        )
        await transaction.rollback()
        return manifest
    finally:
        await connection.close()


async def ensure_database(conn: PgConn) -> None:
    admin = await asyncpg.connect(**conn.with_database("postgres").connect_kwargs())
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", conn.database)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{conn.database.replace(chr(34), chr(34) * 2)}"')
    finally:
        await admin.close()


async def drop_database(conn: PgConn) -> None:
    admin = await asyncpg.connect(**conn.with_database("postgres").connect_kwargs())
    try:
        name = conn.database.replace('"', '""')
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def user_tables(conn: PgConn) -> int:
    connection = await asyncpg.connect(**conn.connect_kwargs())
    try:
        return int(
            await connection.fetchval(
                f"SELECT count(*) FROM pg_tables WHERE schemaname NOT IN {SYSTEM_SCHEMAS}"  # noqa: S608
            )
        )
    finally:
        await connection.close()


async def _clear(conn: PgConn) -> None:
    connection = await asyncpg.connect(**conn.connect_kwargs())
    try:
        schemas = await connection.fetch(
            f"SELECT nspname FROM pg_namespace WHERE nspname NOT IN {SYSTEM_SCHEMAS} "  # noqa: S608
            "AND nspname NOT LIKE 'pg_temp_%' AND nspname NOT LIKE 'pg_toast_temp_%'"
        )
        for row in schemas:
            await connection.execute(
                f'DROP SCHEMA "{row[0].replace(chr(34), chr(34) * 2)}" CASCADE'
            )
        await connection.execute("CREATE SCHEMA IF NOT EXISTS public")
    finally:
        await connection.close()


async def restore(
    store: BackupStore,
    manifest: Manifest,
    conn: PgConn,
    *,
    force: bool,
    from_target: str | None = None,
) -> dict[str, object]:
    """``pg_restore`` into ``conn``'s database (created if missing); checked afterwards."""
    await ensure_database(conn)
    if not force and await user_tables(conn) > 0:
        raise TargetNotEmpty(f"database {conn.database} holds tables; use --force to overwrite")
    await asyncio.to_thread(store.verify_object, manifest.id, from_target)
    with tempfile.TemporaryDirectory(prefix="nsl-restore-") as work:
        dump = Path(work) / "dump.pgc"

        def decrypt() -> None:
            with open(dump, "wb") as handle:
                for block in store.open(manifest.id, from_target):
                    handle.write(block)

        await asyncio.to_thread(decrypt)
        if force:
            await _clear(conn)
        command = [tool(store, "pg_restore"), "--no-owner", "--exit-on-error", "-d", conn.database]
        done = await asyncio.to_thread(
            subprocess.run,
            [*command, str(dump)],
            env=conn.env(),
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            tail = done.stderr[-600:].decode(errors="replace").strip()
            raise BackupFailed(f"pg_restore exited with {done.returncode}: {tail}")
    connection = await asyncpg.connect(**conn.connect_kwargs())
    try:
        actual = await checksums.pg_tables(connection)
    finally:
        await connection.close()
    problems = checksums.differences(manifest.details.get("tables", {}), actual)
    if problems:
        raise BackupIntegrity("restored database differs from its manifest: " + "; ".join(problems))
    return {
        "engine": "postgresql",
        "method": "logical",
        "target": f"{conn.host}:{conn.port}/{conn.database}",
        "backups": [manifest.id],
        "restored_to": manifest.covers_until,
        "tables": len(actual),
    }
