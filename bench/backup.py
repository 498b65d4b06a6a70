"""Backup benchmark: full/incremental backup and restore MB/s of a generated SQLite database
(and a PostgreSQL logical dump), each next to the raw tool on the same data in the same run
(sqlite3 online backup / file copy; pg_dump -Fc / pg_restore). Prints one JSON object."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # type: ignore[import-untyped]

from nsl.core.settings import Settings
from nsl.services.backup.engine import BackupEngine

PG_ADMIN = os.environ.get("NSL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
MB = 1024 * 1024


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=300, help="SQLite database size")
    parser.add_argument("--pg-size-mb", type=int, default=100, help="PostgreSQL table size")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (CI)")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    if args.smoke:
        args.size_mb, args.pg_size_mb = 8, 4
    return args


def generate_sqlite(path: Path, size_mb: int) -> int:
    """Rows of half random, half repetitive text (compresses roughly 2:1, like real data)."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, account TEXT, memo TEXT)")
    row = 0
    while path.stat().st_size < size_mb * MB:
        batch = [
            (f"acct-{(row + i) % 5000:05d}", os.urandom(200).hex() + "memo " * 80)
            for i in range(5000)
        ]
        connection.executemany("INSERT INTO ledger (account, memo) VALUES (?, ?)", batch)
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        row += len(batch)
    connection.close()
    return row


def timed(work: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def mbps(size: int, seconds: float) -> float:
    return round(size / MB / seconds, 1) if seconds > 0 else 0.0


def raw_sqlite_backup(source: Path, into: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(into)
    src.backup(dst)
    dst.close()
    src.close()


async def bench_sqlite(work: Path, size_mb: int) -> dict[str, Any]:
    settings = Settings(
        env="test",
        data_dir=work / "data",
        master_key="ab" * 32,
        backup={"targets": [{"name": "local", "path": str(work / "local")}]},
    )
    source = work / "data" / "nsl.db"
    rows = generate_sqlite(source, size_mb)
    size = source.stat().st_size
    raw_backup_s, _ = timed(lambda: raw_sqlite_backup(source, work / "raw.db"))
    copy_s, _ = timed(lambda: shutil.copyfile(source, work / "copy.db"))
    engine = BackupEngine(settings)
    try:
        started = time.perf_counter()
        full = await engine.full()
        full_s = time.perf_counter() - started
        connection = sqlite3.connect(source)
        connection.execute("UPDATE ledger SET memo = 'changed' WHERE id % 100 = 0")
        connection.commit()
        connection.close()
        started = time.perf_counter()
        incremental = await engine.incremental()
        incremental_s = time.perf_counter() - started
        target = work / "restored.db"
        started = time.perf_counter()
        await engine.restore("latest", target=str(target))
        restore_s = time.perf_counter() - started
    finally:
        await engine.close()
    raw_restore_s, _ = timed(lambda: shutil.copyfile(work / "raw.db", work / "raw-restored.db"))
    return {
        "database_mb": round(size / MB, 1),
        "rows": rows,
        "full_backup_mb_s": mbps(size, full_s),
        "full_stored_mb": round(full.stored_bytes / MB, 1),
        "raw_sqlite_backup_mb_s": mbps(size, raw_backup_s),
        "raw_file_copy_mb_s": mbps(size, copy_s),
        "full_vs_raw_backup_ratio": round(raw_backup_s / full_s, 3),
        "incremental_changed_pages": incremental.details["changed_pages"],
        "incremental_pages_total": incremental.details["page_count"],
        "incremental_seconds": round(incremental_s, 2),
        "incremental_stored_mb": round(incremental.stored_bytes / MB, 2),
        "incremental_vs_full_size_ratio": round(incremental.stored_bytes / full.stored_bytes, 4),
        "restore_full_plus_incremental_mb_s": mbps(size, restore_s),
        "raw_restore_file_copy_mb_s": mbps(size, raw_restore_s),
        "restore_vs_raw_ratio": round(raw_restore_s / restore_s, 3),
    }


async def bench_postgres(work: Path, size_mb: int) -> dict[str, Any]:
    base = PG_ADMIN.rsplit("/", 1)[0]
    name, target = f"nsl_bench_{uuid.uuid4().hex[:8]}", f"nsl_bench_r_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        data = await asyncpg.connect(f"{base}/{name}")
        try:
            await data.execute("CREATE TABLE ledger (id bigserial PRIMARY KEY, memo text)")
            rows = size_mb * MB // 500
            await data.execute(
                "INSERT INTO ledger (memo) SELECT md5(g::text) || repeat('memo ', 80) || "
                "md5((g * 7)::text) FROM generate_series(1, $1) g",
                rows,
            )
            size = int(await data.fetchval("SELECT pg_database_size(current_database())"))
        finally:
            await data.close()
        env = dict(os.environ, PGHOST="127.0.0.1", PGUSER="postgres", PGDATABASE=name)
        dump = work / "raw.pgc"
        raw_dump_s, _ = timed(
            lambda: subprocess.run(["pg_dump", "-Fc", "-f", str(dump)], env=env, check=True)
        )
        settings = Settings(
            env="test",
            data_dir=work / "pgdata",
            master_key="ab" * 32,
            database={"url": f"{base}/{name}"},
            backup={"targets": [{"name": "local", "path": str(work / "pglocal")}]},
        )
        engine = BackupEngine(settings)
        try:
            started = time.perf_counter()
            await engine.full()
            full_s = time.perf_counter() - started
            started = time.perf_counter()
            await engine.restore("latest", target=f"{base}/{target}")
            restore_s = time.perf_counter() - started
        finally:
            await engine.close()
        await admin.execute(f'DROP DATABASE "{target}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{target}"')
        raw_restore_s, _ = timed(
            lambda: subprocess.run(
                ["pg_restore", "--no-owner", "-d", target, str(dump)], env=env, check=True
            )
        )
    finally:
        for database in (name, target):
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()
    return {
        "database_mb": round(size / MB, 1),
        "logical_backup_mb_s": mbps(size, full_s),
        "raw_pg_dump_mb_s": mbps(size, raw_dump_s),
        "backup_vs_raw_ratio": round(raw_dump_s / full_s, 3),
        "logical_restore_mb_s": mbps(size, restore_s),
        "raw_pg_restore_mb_s": mbps(size, raw_restore_s),
        "restore_vs_raw_ratio": round(raw_restore_s / restore_s, 3),
        "note": "ours includes per-table checksums in the dump's snapshot and a post-restore check",
    }


async def main(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    sqlite = await bench_sqlite(work / "sqlite", args.size_mb)
    postgres: dict[str, Any] | None = None
    if not args.no_postgres:
        postgres = await bench_postgres(work / "pg", args.pg_size_mb)
    return {
        "benchmark": "backup",
        "smoke": args.smoke,
        "figure": {"sqlite_full_backup_mb_s": sqlite["full_backup_mb_s"]},
        "baseline": {"raw_sqlite_backup_mb_s": sqlite["raw_sqlite_backup_mb_s"]},
        "ratio": sqlite["full_vs_raw_backup_ratio"],
        "sqlite": sqlite,
        "postgresql": postgres,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="nsl-bench-backup-") as work:
        for part in ("sqlite", "pg", "sqlite/data"):
            Path(work, part).mkdir()
        return asyncio.run(main(args, Path(work)))


if __name__ == "__main__":
    print(json.dumps(run(parse_args())))
