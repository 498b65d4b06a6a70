"""``nsl up`` and ``nsl serve``: run the gateway with its services in this process."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from nsl.chains.devnet import DevChains
from nsl.cli.common import console, err_console, load_settings, run
from nsl.core import catalogue
from nsl.core.errors import NslError
from nsl.core.logs import configure_logging
from nsl.core.production import ensure_production_ready
from nsl.core.settings import Settings
from nsl.db.engine import database_url
from nsl.db.migrate import upgrade
from nsl.gateway.serve import serve
from nsl.ops.certwatch import CertWatcher


def _prepare(settings: Settings) -> None:
    """Refuse bad settings, create the data dir and migrate once before workers start."""
    try:
        ensure_production_ready(settings)
    except NslError as exc:
        err_console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with console.status("applying database migrations"):
        run(upgrade(database_url(settings.database, settings.data_dir)))
    os.environ["NSL_DATABASE__MIGRATE_ON_START"] = "false"


def _export(**values: object) -> None:
    for name, value in values.items():
        if value is not None:
            os.environ[name] = str(value)


def up(
    phase: int | None = typer.Option(None, min=1, max=4, help="Run services of phases 1..N."),
    services: str | None = typer.Option(None, help="Comma-separated service names to run."),
    host: str | None = typer.Option(None, help="Address to bind (default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port to bind (default 8080)."),
    data_dir: Path | None = typer.Option(
        None, help="Data directory (default ./var, NSL_DATA_DIR)."
    ),
) -> None:
    """Serve every enabled service in one process."""
    only = [s.strip() for s in services.split(",") if s.strip()] if services else None
    _export(NSL_PHASE=phase, NSL_HTTP__HOST=host, NSL_HTTP__PORT=port)
    if only:
        for name in only:
            run_entry_check(name)
        os.environ["NSL_ONLY_SERVICES"] = '["' + '","'.join(only) + '"]'
    settings = load_settings(data_dir)
    _prepare(settings)
    dev_chains = DevChains(settings)
    if settings.chains.dev.start:
        with console.status("starting the dev chains"):
            urls = dev_chains.start()
        dev_chains.export(urls)
        for chain, url in urls.items():
            console.print(f"dev chain {chain} at {url}")
        settings = load_settings(data_dir)
    scheme = "https" if settings.http.tls else "http"
    console.print(
        f"[bold]Neo Service Layer[/bold] on {scheme}://{settings.http.host}:{settings.http.port} "
        f"(env={settings.env}, data dir {settings.data_dir})"
    )
    cert, key = settings.http.tls_cert_file, settings.http.tls_key_file
    watcher = None
    if cert and key:
        configure_logging(settings.log_level, settings.json_logs)  # the watcher logs here
        watcher = CertWatcher(cert, key).start()
    try:
        serve(settings)  # a changed, valid certificate respawns the workers (SIGHUP)
    finally:
        if watcher is not None:
            watcher.stop()
        dev_chains.stop()


def serve_one(
    only: str | None = typer.Option(
        None, help="Comma-separated services this process runs (auth always comes with them)."
    ),
    gateway: bool = typer.Option(
        False,
        "--gateway",
        help="Run the gateway: auth here, other services proxied to NSL_GATEWAY__UPSTREAMS "
        "and the rollout routes.",
    ),
    host: str | None = typer.Option(None),
    port: int | None = typer.Option(None),
    data_dir: Path | None = typer.Option(None),
) -> None:
    """Run some services as their own process, or the gateway in front of such processes."""
    if gateway == (only is not None):
        err_console.print("[red]give exactly one of --only NAMES or --gateway[/red]")
        raise typer.Exit(2)
    up(phase=None, services=only or "auth", host=host, port=port, data_dir=data_dir)


def run_entry_check(name: str) -> None:
    try:
        catalogue.entry(name)
    except NslError as exc:
        err_console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
