"""``nsl backup ...`` and ``nsl restore``: encrypted backups, verification and restores.

With ``--json`` each command prints one JSON object on stdout; any failure is one line on
stderr and a non-zero exit (a backup with a failed target exits 1 after printing it).
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import typer

from nsl.cli.common import err_console, load_settings
from nsl.core.errors import NslError
from nsl.services.backup import recovery, wal
from nsl.services.backup.engine import BackupEngine
from nsl.services.backup.manifest import Manifest

backup_app = typer.Typer(
    help="Encrypted backups: database, enclave keys, configuration.", no_args_is_help=True
)
recovery_app = typer.Typer(help="The operator recovery key (k-of-n shares).", no_args_is_help=True)
backup_app.add_typer(recovery_app, name="recovery-key")
T = TypeVar("T")

JSON = typer.Option(False, "--json", help="Print one JSON object.")
DATA_DIR = typer.Option(None, "--data-dir", help="The data directory (NSL_DATA_DIR).")


def _fail(code: str, detail: str, exit_code: int = 1) -> typer.Exit:
    err_console.print(f"{code}: {detail}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(exit_code)


def _with_engine(data_dir: Path | None, work: Callable[[BackupEngine], Awaitable[T]]) -> T:
    settings = load_settings(data_dir)

    async def go() -> T:
        engine = BackupEngine(settings)
        try:
            return await work(engine)
        finally:
            await engine.close()

    try:
        return asyncio.run(go())
    except NslError as exc:
        raise _fail(exc.code, exc.detail) from exc


def _emit(document: dict[str, Any], as_json: bool, summary: str) -> None:
    if as_json:
        print(json.dumps(document, default=str))
    else:
        print(summary)


def _manifest_out(manifest: Manifest, as_json: bool) -> None:
    _emit(
        manifest.public(),
        as_json,
        f"{manifest.status} {manifest.kind} {manifest.id}: {manifest.plain_bytes} bytes -> "
        f"{manifest.stored_bytes} stored, targets {', '.join(manifest.targets)}",
    )
    if manifest.status != "complete":
        failed = "; ".join(f"{k}: {v}" for k, v in manifest.failed_targets.items())
        raise _fail("backup.target_failed", f"{manifest.id} not written to {failed}")


@backup_app.command("full")
def full(as_json: bool = JSON, data_dir: Path | None = DATA_DIR) -> None:
    """A full database backup (SQLite online backup, or pg_dump/pg_basebackup by method)."""
    _manifest_out(_with_engine(data_dir, lambda e: e.full()), as_json)


@backup_app.command("incremental")
def incremental(as_json: bool = JSON, data_dir: Path | None = DATA_DIR) -> None:
    """Changes since the newest database backup (SQLite pages; PostgreSQL physical: WAL)."""
    _manifest_out(_with_engine(data_dir, lambda e: e.incremental()), as_json)


@backup_app.command("wal-ship")
def wal_ship(as_json: bool = JSON, data_dir: Path | None = DATA_DIR) -> None:
    """Ship archived WAL from NSL_BACKUP__WAL_SPOOL_DIR to every target (PostgreSQL physical)."""

    async def work(engine: BackupEngine) -> wal.ShipResult:
        return await asyncio.to_thread(wal.ship, engine.settings, engine.store)

    result = _with_engine(data_dir, work)
    summary = f"shipped {len(result.shipped)} WAL files, {len(result.kept)} kept in the spool"
    _emit(result.as_dict(), as_json, summary)
    if result.kept:
        raise _fail("backup.target_failed", f"kept in the spool: {', '.join(result.kept)}")


@backup_app.command("keys")
def keys(as_json: bool = JSON, data_dir: Path | None = DATA_DIR) -> None:
    """The enclave's keys, encrypted to the operator recovery public key."""
    _manifest_out(_with_engine(data_dir, lambda e: e.keys()), as_json)


@backup_app.command("config")
def config(as_json: bool = JSON, data_dir: Path | None = DATA_DIR) -> None:
    """The configuration service's data and the non-secret settings."""
    _manifest_out(_with_engine(data_dir, lambda e: e.config()), as_json)


@backup_app.command("list")
def list_backups(
    kind: str | None = typer.Option(None, help="Only this kind."),
    target: str | None = typer.Option(None, "--from", help="Only this target."),
    as_json: bool = JSON,
    data_dir: Path | None = DATA_DIR,
) -> None:
    """Backups found in the targets, oldest first."""

    async def work(engine: BackupEngine) -> list[Manifest]:
        return engine.manifests(kind, target)

    items = _with_engine(data_dir, work)
    lines = [f"{m.id}  {m.status}  {m.covers_until}  {m.stored_bytes}" for m in items]
    _emit({"backups": [m.public() for m in items]}, as_json, "\n".join(lines) or "no backups")


@backup_app.command("verify")
def verify(
    backup: str | None = typer.Option(None, "--backup", help="A backup id."),
    every: bool = typer.Option(False, "--all", help="Every backup in the targets."),
    share: list[Path] = typer.Option([], "--share", help="Recovery share files (keys)."),
    target: str | None = typer.Option(None, "--from", help="Read only this target."),
    as_json: bool = JSON,
    data_dir: Path | None = DATA_DIR,
) -> None:
    """Restore into a scratch database and compare row counts and checksums."""
    if (backup is None) == (not every):
        raise _fail("backup.invalid", "give exactly one of --backup ID and --all", 2)

    async def work(engine: BackupEngine) -> list[dict[str, Any]]:
        manifests = engine.manifests(target=target)
        ids = [m.id for m in manifests] if every else [str(backup)]
        # with --all, a chain is restored once through its newest member
        parents = {m.parent for m in manifests if m.parent} if every else set()
        results = []
        for backup_id in ids:
            try:
                results.append(
                    await engine.verify(
                        backup_id, shares=share, from_target=target, covered=backup_id in parents
                    )
                )
            except NslError as exc:
                results.append(
                    {"id": backup_id, "ok": False, "error": exc.code, "detail": exc.detail}
                )
        return results

    results = _with_engine(data_dir, work)
    ok = all(r["ok"] for r in results)
    lines = [f"{r['id']}: {'ok' if r['ok'] else r['error'] + ' ' + r['detail']}" for r in results]
    _emit({"ok": ok, "results": results}, as_json, "\n".join(lines) or "no backups")
    if not ok:
        raise _fail("backup.verify_failed", f"{sum(not r['ok'] for r in results)} failed")


@backup_app.command("prune")
def prune(as_json: bool = JSON, data_dir: Path | None = DATA_DIR) -> None:
    """Delete backups past retention (keeps the newest full and what its chain needs)."""
    removed = _with_engine(data_dir, lambda e: e.prune())
    _emit({"deleted": [m.id for m in removed]}, as_json, f"deleted {len(removed)} backups")


@recovery_app.command("init")
def recovery_init(
    shares: int = typer.Option(..., "--shares", help="How many operators get a share."),
    threshold: int = typer.Option(..., "--threshold", help="How many shares restore keys."),
    out: Path = typer.Option(..., "--out", help="Directory for the share files."),
    as_json: bool = JSON,
) -> None:
    """A new recovery key pair; the private key is split k-of-n and never stored whole."""
    try:
        ceremony = recovery.init(out, shares, threshold)
    except NslError as exc:
        raise _fail(exc.code, exc.detail, 2) from exc
    public = base64.b64encode(ceremony.public_key).decode()
    _emit(
        {
            "public_key": public,
            "key_id": ceremony.key_id,
            "public_file": str(ceremony.public_file),
            "shares": [str(p) for p in ceremony.share_files],
            "threshold": threshold,
            "setting": f"NSL_BACKUP__RECOVERY_PUBLIC_KEY={public}",
        },
        as_json,
        f"recovery public key {public}\nset NSL_BACKUP__RECOVERY_PUBLIC_KEY={public}\n"
        f"give one share file to each operator ({threshold} of {shares} restore keys):\n"
        + "\n".join(str(p) for p in ceremony.share_files),
    )


def _when(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise _fail("backup.invalid", f"--to-time: not an ISO 8601 time: {text}", 2) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def restore(
    backup: str = typer.Option(..., "--backup", help="A backup id, or 'latest'."),
    to_time: str | None = typer.Option(None, "--to-time", help="Newest point to restore (ISO)."),
    target: str | None = typer.Option(None, "--target", help="Database URL, file or data dir."),
    source: str | None = typer.Option(None, "--from", help="Read only this backup target."),
    share: list[Path] = typer.Option([], "--share", help="Recovery share files (keys)."),
    kind: str | None = typer.Option(None, "--kind", help="With latest: database|keys|config."),
    force: bool = typer.Option(False, "--force", help="Overwrite a non-empty target."),
    as_json: bool = JSON,
    data_dir: Path | None = DATA_DIR,
) -> None:
    """Restore a backup; refuses a non-empty target without --force and a bad backup always."""
    moment = _when(to_time)
    if kind is not None and kind not in ("database", "keys", "config"):
        raise _fail("backup.invalid", "--kind must be database, keys or config", 2)
    chosen = None if kind == "database" else kind

    async def work(engine: BackupEngine) -> dict[str, Any]:
        return await engine.restore(
            backup,
            to_time=moment,
            target=target,
            from_target=source,
            shares=share,
            force=force,
            kind=chosen,
        )

    result = _with_engine(data_dir, work)
    _emit(result, as_json, f"restored {', '.join(map(str, result.get('backups', [])))}")


def register(app: typer.Typer) -> None:
    app.add_typer(backup_app, name="backup")
    app.command("restore")(restore)
