"""Row counts and per-table checksums, recorded at backup, compared at verify.

SQLite: BLAKE2b-128 over the rows in table-scan order (a restored file is page-identical to
the snapshot, so the scan order is too). PostgreSQL: the MD5 of the sorted MD5s of each row's
text form (order-independent: pg_restore rewrites the heap), in the backup's own snapshot.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

TableSums = dict[str, dict[str, Any]]
PG_TABLES = (
    "SELECT schemaname, tablename FROM pg_tables "
    "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
)


def sqlite_tables(path: Path) -> TableSums:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        out: TableSums = {}
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            digest = hashlib.blake2b(digest_size=16)
            rows = 0
            cursor = connection.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - quoted name
            while batch := cursor.fetchmany(2000):
                digest.update(repr(batch).encode())
                rows += len(batch)
            out[name] = {"rows": rows, "checksum": digest.hexdigest()}
        return out
    finally:
        connection.close()


async def pg_tables(connection: Any) -> TableSums:
    """Checksums of every user table, on an open asyncpg connection (its snapshot)."""
    out: TableSums = {}
    for schema, table in await connection.fetch(PG_TABLES):
        quoted = f'"{schema.replace(chr(34), chr(34) * 2)}"."{table.replace(chr(34), chr(34) * 2)}"'
        row = await connection.fetchrow(
            f"SELECT count(*) AS n, coalesce(md5(string_agg(h, '' ORDER BY h)), '') AS sum "  # noqa: S608
            f"FROM (SELECT md5(t::text) AS h FROM {quoted} t) rows"
        )
        out[f"{schema}.{table}"] = {"rows": int(row["n"]), "checksum": row["sum"]}
    return out


def differences(expected: TableSums, actual: TableSums) -> list[str]:
    """Human-readable differences between two checksum maps (empty: identical)."""
    problems = []
    for name in sorted(set(expected) | set(actual)):
        want, got = expected.get(name), actual.get(name)
        if want is None:
            problems.append(f"{name}: not in the backup's manifest")
        elif got is None:
            problems.append(f"{name}: missing after restore")
        elif want != got:
            problems.append(f"{name}: rows {got['rows']} vs {want['rows']} or checksum differs")
    return problems
