"""Operator commands: health, settings, migrations, API keys, version."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import typer
from pydantic import SecretStr
from rich.table import Table

from nsl import __version__
from nsl.cli.common import console, err_console, load_settings, run
from nsl.cli.credentials_cmds import config_production
from nsl.core.security import Role
from nsl.core.settings import Settings
from nsl.db.engine import database_url
from nsl.db.migrate import current_revision, head_revision, upgrade
from nsl.runtime import Runtime

config_app = typer.Typer(help="Settings.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
auth_app = typer.Typer(help="Principals and API keys.", no_args_is_help=True)


def health(
    url: str = typer.Option("http://127.0.0.1:8080", help="Base URL of a running service layer."),
    timeout: float = typer.Option(5.0, help="Seconds to wait for an answer."),
) -> None:
    """Print /health and exit 0 when the service layer is ready, 1 otherwise."""
    try:
        response = httpx.get(url.rstrip("/") + "/health", timeout=timeout)
    except httpx.HTTPError as exc:
        err_console.print(f"[red]unreachable:[/red] {url} ({type(exc).__name__})")
        raise typer.Exit(1) from exc
    body = response.json()
    table = Table("service", "status", "checks")
    for name, report in body.get("services", {}).items():
        checks = ", ".join(f"{c['name']}={c['status']}" for c in report.get("checks", []))
        table.add_row(name, report["status"], checks)
    console.print(table)
    console.print(f"overall: [bold]{body.get('status')}[/bold]  backends: {body.get('backends')}")
    raise typer.Exit(0 if response.status_code == 200 and body.get("status") != "down" else 1)


def version() -> None:
    """Print the version."""
    console.print(__version__)


def _masked(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return "********" if value.get_secret_value() else ""
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def masked_settings(settings: Settings) -> dict[str, Any]:
    """The settings tree as plain data, every secret replaced by ``********``."""
    masked: dict[str, Any] = _masked(settings.model_dump())
    return masked


config_app.command("production")(config_production)


@config_app.command("show")
def config_show(data_dir: Path | None = typer.Option(None)) -> None:
    """Print the effective settings with secrets masked."""
    console.print_json(json.dumps(masked_settings(load_settings(data_dir)), default=str))


@db_app.command("upgrade")
def db_upgrade(data_dir: Path | None = typer.Option(None)) -> None:
    """Apply every pending migration."""
    settings = load_settings(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    url = database_url(settings.database, settings.data_dir)
    before = run(current_revision(url))
    run(upgrade(url))
    console.print(f"schema at {head_revision()} (was {before or 'empty'})")


@asynccontextmanager
async def _auth_service(settings: Settings) -> AsyncIterator[Any]:
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    rt = Runtime(settings, only=["auth"])
    await upgrade(rt.adapters.database.url)
    await rt.adapters.open()
    try:
        yield rt.services["auth"]
    finally:
        await rt.adapters.close()


@auth_app.command("create-key")
def create_key(
    role: Role = typer.Option(..., help="Role of the key's principal."),
    owner: str | None = typer.Option(None, help="Principal name (created if absent)."),
    name: str = typer.Option("cli", help="A label for the key."),
    expires_in_days: int | None = typer.Option(None, min=1, help="Expire after N days."),
    data_dir: Path | None = typer.Option(None),
) -> None:
    """Create an API key (printed once)."""
    settings = load_settings(data_dir)
    principal_name = owner or f"{role.value}-cli"
    expires = datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None

    async def go() -> tuple[Any, str]:
        async with _auth_service(settings) as auth:
            principal = await auth.ensure_principal(principal_name, roles=[role.value])
            # The key carries exactly this role; an existing principal without it is refused.
            result: tuple[Any, str] = await auth.create_api_key(
                principal.id, name, expires_at=expires, roles=[role.value]
            )
            return result

    record, raw = run(go())
    console.print(f"key id {record.id} for principal {principal_name} ({role.value})")
    console.print(f"[bold]{raw}[/bold]")
    err_console.print("shown once: store it now")


@auth_app.command("revoke-key")
def revoke_key(key_id: str, data_dir: Path | None = typer.Option(None)) -> None:
    """Revoke an API key by id."""
    settings = load_settings(data_dir)

    async def go() -> None:
        async with _auth_service(settings) as auth:
            await auth.revoke_api_key(key_id)

    run(go())
    console.print(f"revoked {key_id}")
