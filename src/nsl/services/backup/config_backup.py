"""Configuration backups: the configuration service's tables and the non-secret settings.

Rows are read with reflected tables (the backup service does not import another service's
models) and written as typed JSON; sealed values stay sealed. Checksums are SHA-256 over the
sorted canonical rows of each table, recomputed after a restore (or a scratch restore).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, MetaData, Table, delete, insert, inspect, select

from nsl.core.ports import Database
from nsl.core.settings import Settings
from nsl.services.backup.errors import BackupIntegrity, TargetNotEmpty
from nsl.services.backup.manifest import Manifest
from nsl.services.backup.store import BackupStore

FORMAT = "nsl-config-v1"
TABLES = ("configuration_entries", "configuration_versions", "configuration_schemas")


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode()}
    if isinstance(value, datetime):  # SQLite keeps UTC naive: always write it as aware UTC
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return {"$dt": aware.astimezone(UTC).isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$b64"}:
        return base64.b64decode(value["$b64"])
    if isinstance(value, dict) and set(value) == {"$dt"}:
        return datetime.fromisoformat(value["$dt"])
    return value


def table_sums(tables: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    out = {}
    for name, rows in tables.items():
        lines = sorted(json.dumps(row, sort_keys=True) for row in rows)
        digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        out[name] = {"rows": len(rows), "checksum": digest}
    return out


def _reflect(connection: Connection) -> dict[str, Table]:
    present = set(inspect(connection).get_table_names())
    metadata = MetaData()
    return {
        name: Table(name, metadata, autoload_with=connection) for name in TABLES if name in present
    }


def read_tables(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for name, table in _reflect(connection).items():
        rows = connection.execute(select(table)).mappings()
        out[name] = [{key: _encode(value) for key, value in row.items()} for row in rows]
    return out


def write_tables(
    connection: Connection, tables: dict[str, list[dict[str, Any]]], *, force: bool
) -> int:
    reflected = _reflect(connection)
    missing = set(tables) - set(reflected)
    if missing:
        raise BackupIntegrity(f"target database lacks tables {sorted(missing)}: migrate it first")
    if not force:
        for name in tables:
            if connection.execute(select(reflected[name]).limit(1)).first() is not None:
                raise TargetNotEmpty(f"{name} holds rows; use --force to overwrite")
    written = 0
    for name, rows in tables.items():
        connection.execute(delete(reflected[name]))
        if rows:
            decoded = [{k: _decode(v) for k, v in row.items()} for row in rows]
            connection.execute(insert(reflected[name]), decoded)
            written += len(rows)
    return written


def public_settings(settings: Settings) -> dict[str, Any]:
    """Settings with every secret masked by pydantic (``SecretStr`` dumps as asterisks)."""
    data: dict[str, Any] = settings.model_dump(mode="json")
    return data


async def backup(
    store: BackupStore, settings: Settings, database: Database, now: datetime
) -> Manifest:
    tables = await database.run_in_transaction(read_tables)
    payload = json.dumps(
        {"format": FORMAT, "tables": tables, "settings": public_settings(settings)}
    ).encode()
    details = {"tables": table_sums(tables), "settings_sha256": _settings_digest(settings)}
    return await asyncio.to_thread(
        store.write, "config", [payload], covers_until=now, details=details
    )


def _settings_digest(settings: Settings) -> str:
    text = json.dumps(public_settings(settings), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


async def changed_since_latest(store: BackupStore, settings: Settings, database: Database) -> bool:
    """True when the tables or the settings differ from the newest config backup."""
    latest = await asyncio.to_thread(store.latest, "config")
    if latest is None:
        return True
    tables = await database.run_in_transaction(read_tables)
    same_tables = table_sums(tables) == latest.details.get("tables")
    return not (same_tables and latest.details.get("settings_sha256") == _settings_digest(settings))


def read(store: BackupStore, backup_id: str, from_target: str | None = None) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(b"".join(store.open(backup_id, from_target)))
    if document.get("format") != FORMAT:
        raise BackupIntegrity(f"backup {backup_id} is not an {FORMAT} document")
    return document


async def restore(
    store: BackupStore,
    database: Database,
    manifest: Manifest,
    *,
    force: bool,
    from_target: str | None = None,
) -> dict[str, object]:
    document = await asyncio.to_thread(read, store, manifest.id, from_target)
    tables = document["tables"]
    if table_sums(tables) != manifest.details.get("tables"):
        raise BackupIntegrity(f"backup {manifest.id}: tables differ from the manifest")

    def work(connection: Connection) -> int:
        return write_tables(connection, tables, force=force)

    rows = await database.run_in_transaction(work)
    after = await database.run_in_transaction(read_tables)
    if table_sums(after) != manifest.details.get("tables"):
        raise BackupIntegrity("restored configuration differs from its manifest")
    return {
        "kind": "config",
        "backups": [manifest.id],
        "rows": rows,
        "restored_to": manifest.covers_until,
    }
