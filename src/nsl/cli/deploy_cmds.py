"""``nsl deploy``: plan, apply, status, switch, rollback, retire, flag and stop."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.markup import escape
from rich.table import Table

from nsl.cli.common import console, err_console, load_settings, run
from nsl.ops.deploy import bluegreen
from nsl.ops.deploy.checks import admin_key
from nsl.ops.deploy.deployer import Deployer
from nsl.ops.deploy.steps import DeployFailed, Report

deploy_app = typer.Typer(help="Phased rollout as separate processes, blue/green switches, flags.")

_OUTCOME = {"done": "green", "planned": "cyan", "failed": "red", "skipped": "yellow"}
_DATA_DIR = typer.Option(None, help="Data directory (default ./var, NSL_DATA_DIR).")
_PHASE = typer.Option(..., "--phase", min=1, max=4, help="Bring up phases 1..N.")


class Format(StrEnum):
    table = "table"
    json = "json"


_FORMAT = typer.Option(Format.table, help="table or json.")


def _with_deployer(
    data_dir: Path | None,
    action: Callable[[Deployer], Awaitable[Report]],
    title: str,
    fmt: Format,
    executable: str | None = None,
) -> None:
    settings = load_settings(data_dir)

    async def go() -> Report:
        deployer = Deployer(settings, executable)
        try:
            return await action(deployer)
        finally:
            await deployer.close()

    try:
        report = run(go())
    except DeployFailed as exc:
        _show(f"{title}: {exc}", exc.report, fmt)
        raise typer.Exit(1) from exc
    _show(title, report, fmt)


def _show(title: str, report: Report, fmt: Format) -> None:
    if fmt is Format.json:
        print(json.dumps({"title": title, **report.as_dict()}))
        return
    table = Table("action", "target", "outcome", "detail", title=escape(title))
    for step in report.steps:
        colour = _OUTCOME.get(step.outcome, "white")
        table.add_row(step.action, step.target, f"[{colour}]{step.outcome}[/]", escape(step.detail))
    console.print(table)


@deploy_app.command("plan")
def plan(phase: int = _PHASE, data_dir: Path | None = _DATA_DIR, format: Format = _FORMAT) -> None:
    """What ``apply`` would start and route (nothing changes)."""
    _with_deployer(data_dir, lambda d: d.plan(phase), f"plan for phases 1..{phase}", format)


@deploy_app.command("apply")
def apply(
    phase: int = _PHASE,
    executable: str | None = typer.Option(None, help="The nsl executable to run (this one)."),
    data_dir: Path | None = _DATA_DIR,
    format: Format = _FORMAT,
) -> None:
    """Check prerequisites, start phases 1..N, gate each on health and smoke; undo a failed one."""
    _with_deployer(
        data_dir, lambda d: d.apply(phase), f"apply phases 1..{phase}", format, executable
    )


@deploy_app.command("switch")
def switch(
    service: str = typer.Argument(..., help="A service (its whole process group switches)."),
    executable: str | None = typer.Option(None, help="The new version's nsl executable."),
    expect_version: str | None = typer.Option(None, help="Refuse unless it reports this version."),
    data_dir: Path | None = _DATA_DIR,
    format: Format = _FORMAT,
) -> None:
    """Blue/green: start the other colour, verify and smoke it, then move traffic to it."""
    _with_deployer(
        data_dir,
        lambda d: bluegreen.switch(
            d, service, executable=executable, expect_version=expect_version
        ),
        f"switch {service}",
        format,
    )


@deploy_app.command("rollback")
def rollback(
    service: str = typer.Argument(...), data_dir: Path | None = _DATA_DIR, format: Format = _FORMAT
) -> None:
    """Move traffic back to the standby colour, then drain and stop the other."""
    _with_deployer(
        data_dir, lambda d: bluegreen.rollback(d, service), f"rollback {service}", format
    )


@deploy_app.command("retire")
def retire(
    service: str = typer.Argument(...), data_dir: Path | None = _DATA_DIR, format: Format = _FORMAT
) -> None:
    """Drain and stop the standby colour once the switch is judged good."""
    _with_deployer(data_dir, lambda d: bluegreen.retire(d, service), f"retire {service}", format)


@deploy_app.command("stop")
def stop(data_dir: Path | None = _DATA_DIR, format: Format = _FORMAT) -> None:
    """Unroute and stop every process ``nsl deploy`` started on this machine."""
    _with_deployer(data_dir, lambda d: d.stop_all(), "stop", format)


@deploy_app.command("status")
def status(data_dir: Path | None = _DATA_DIR, format: Format = _FORMAT) -> None:
    """Each service's phase, flag, mode, colour, version and health, from the gateway."""
    body = _gateway_call("GET", "/api/v1/deploy/status", data_dir)
    if format is Format.json:
        print(json.dumps(body))
        return
    table = Table("service", "phase", "flag", "mode", "colour", "version", "health", "standby")
    for s in body["services"]:
        standby = s.get("standby") or {}
        table.add_row(
            s["name"],
            str(s["phase"]),
            "on" if s["enabled"] else "[yellow]off[/]",
            s["mode"],
            s.get("active") or "-",
            s.get("version") or "-",
            s["health"],
            f"{standby.get('color')} {standby.get('version')}" if standby else "-",
        )
    console.print(table)
    console.print(f"rollout generation {body['generation']}")


@deploy_app.command("flag")
def flag(
    service: str = typer.Argument(...),
    state: str = typer.Argument(..., help="on or off"),
    data_dir: Path | None = _DATA_DIR,
) -> None:
    """Switch a service on or off at runtime; the other services keep running."""
    if state not in ("on", "off"):
        err_console.print("[red]state must be on or off[/red]")
        raise typer.Exit(2)
    body = _gateway_call(
        "PUT", f"/api/v1/deploy/flags/{service}", data_dir, {"enabled": state == "on"}
    )
    console.print(f"{body['name']}: {'on' if body['enabled'] else 'off'}")


def _gateway_call(
    method: str, path: str, data_dir: Path | None, payload: dict[str, Any] | None = None
) -> Any:
    settings = load_settings(data_dir)
    key = admin_key(settings)
    if key is None:
        err_console.print("[red]no admin key: set NSL_BOOTSTRAP_ADMIN_KEY[/red]")
        raise typer.Exit(2)
    url = f"http://127.0.0.1:{settings.http.port}{path}"
    try:
        response = httpx.request(
            method, url, headers={"X-API-Key": key}, json=payload, timeout=10, trust_env=False
        )
    except httpx.HTTPError as exc:
        err_console.print(f"[red]the gateway at {url} does not answer: {type(exc).__name__}[/red]")
        raise typer.Exit(1) from exc
    if response.status_code >= 400:
        err_console.print(f"[red]{response.status_code}: {escape(response.text)}[/red]")
        raise typer.Exit(1)
    return response.json()
