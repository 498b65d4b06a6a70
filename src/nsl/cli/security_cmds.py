"""Operator commands for key material: ``nsl enclave ...`` and ``nsl audit verify``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import typer

from nsl.adapters.audit import verify_chain
from nsl.cli.common import console, err_console, load_settings, run
from nsl.core.clock import SystemClock
from nsl.core.enclave import Enclave
from nsl.core.errors import BadRequest
from nsl.core.metrics import Metrics
from nsl.core.settings import Settings
from nsl.db.engine import Database, database_url
from nsl.db.migrate import upgrade
from nsl.enclave.capability import host_capability
from nsl.enclave.factory import build_enclave
from nsl.enclave.keyring import KEYRING_FILE
from nsl.enclave.rotation import rotate_keyring_file
from nsl.enclave.software import SoftwareEnclave

enclave_app = typer.Typer(
    help="The enclave: provider check, attestation, master key.", no_args_is_help=True
)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[Database]:
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    url = database_url(settings.database, settings.data_dir)
    database = Database(url, settings.database, Metrics("cli", settings.env))
    await upgrade(url)
    try:
        yield database
    finally:
        await database.dispose()


@asynccontextmanager
async def _enclave(settings: Settings) -> AsyncIterator[Enclave]:
    async with _database(settings) as database:
        enclave = build_enclave(settings, database, SystemClock())
        await enclave.start()
        try:
            yield enclave
        finally:
            await enclave.close()


def _print(document: dict[str, Any]) -> None:
    console.print_json(json.dumps(document, default=str))


@enclave_app.command("check")
def check(data_dir: Path | None = typer.Option(None)) -> None:
    """Report this host's SGX capability and whether the configured provider opens."""
    settings = load_settings(data_dir)

    async def go() -> dict[str, Any]:
        async with _enclave(settings) as enclave:
            health = await enclave.health()
            return {
                "provider": enclave.provider,
                "status": health.status.value,
                "detail": health.detail,
            }

    report: dict[str, Any] = {
        "host": host_capability(),
        "configured_provider": settings.enclave.provider,
    }
    report["enclave"] = run(go())
    _print(report)
    raise typer.Exit(0 if report["enclave"]["status"] == "ok" else 1)


@enclave_app.command("attest")
def attest(
    user_data: str = typer.Option("", help="Hex data to bind into the report (e.g. a nonce)."),
    data_dir: Path | None = typer.Option(None),
) -> None:
    """Print a signed attestation report over USER_DATA."""
    settings = load_settings(data_dir)
    try:
        data = bytes.fromhex(user_data)
    except ValueError as exc:
        err_console.print("[red]--user-data must be hex[/red]")
        raise typer.Exit(2) from exc

    async def go() -> dict[str, Any]:
        async with _enclave(settings) as enclave:
            report = await enclave.attest(data)
            return {"report": report.body.decode(), "signature": report.signature.hex()}

    _print(run(go()))


@enclave_app.command("rotate-master")
def rotate_master(
    retire_previous: bool = typer.Option(
        False, help="Afterwards drop previous keys from the keyring file if nothing uses them."
    ),
    new_key: bool = typer.Option(True, help="Add a new master key first (file keyring only)."),
    data_dir: Path | None = typer.Option(None),
) -> None:
    """Re-seal every enclave item under the newest master key, while services keep running."""
    settings = load_settings(data_dir)
    if settings.enclave.provider != "software":
        err_console.print(
            "[red]only the software provider has a master key; a token wraps its own keys[/red]"
        )
        raise typer.Exit(2)

    async def go() -> dict[str, Any]:
        async with _enclave(settings) as enclave:
            assert isinstance(enclave, SoftwareEnclave)
            if settings.enclave.master_key is not None:
                if retire_previous:
                    raise BadRequest(
                        "keys from settings are retired by removing "
                        "NSL_ENCLAVE__PREVIOUS_MASTER_KEYS once this reports 0 remaining",
                        code="enclave.retire_from_settings",
                    )
                return (await enclave.rewrap_items()).__dict__
            path = settings.data_dir / KEYRING_FILE
            report = await rotate_keyring_file(
                enclave, path, new_key=new_key, retire_previous=retire_previous
            )
            return report.as_dict()

    _print(run(go()))


@audit_app.command("verify")
def audit_verify(data_dir: Path | None = typer.Option(None)) -> None:
    """Walk the audit chain; exit 1 when an entry was changed or deleted."""
    settings = load_settings(data_dir)

    async def go() -> dict[str, Any]:
        async with _database(settings) as database:
            return (await verify_chain(database)).as_dict()

    report = run(go())
    _print(report)
    raise typer.Exit(0 if report["ok"] else 1)
