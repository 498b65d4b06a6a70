"""``nsl monitoring generate``: Prometheus, Alertmanager and Grafana files from the catalogue."""

from __future__ import annotations

from pathlib import Path

import typer

from nsl.cli.common import console, err_console
from nsl.ops.monitoring.alertmanager import DEFAULT_WEBHOOK, PAGER, TEAM, Receivers
from nsl.ops.monitoring.generate import UnknownMetrics, check, render, write

monitoring_app = typer.Typer(
    help="Monitoring as code: scrape config, alert rules, routing, dashboards.",
    no_args_is_help=True,
)


def _say(text: str) -> None:
    console.print(text, soft_wrap=True, highlight=False)


@monitoring_app.command("generate")
def generate(
    out: Path = typer.Option(
        Path("deploy"), help="Directory to write prometheus/, alertmanager/ and grafana/ into."
    ),
    check_only: bool = typer.Option(
        False, "--check", help="Write nothing; exit 1 if any file differs from a fresh generation."
    ),
    pager_webhook: str = typer.Option(
        DEFAULT_WEBHOOK + PAGER, help="Where Alertmanager posts critical alerts."
    ),
    team_webhook: str = typer.Option(
        DEFAULT_WEBHOOK + TEAM, help="Where Alertmanager posts warnings."
    ),
) -> None:
    """Write (or with --check, verify) every monitoring file under OUT."""
    try:
        files = render(receivers=Receivers(pager_webhook, team_webhook))
    except (UnknownMetrics, ValueError) as exc:
        err_console.print(f"[red]{exc}[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from exc
    if check_only:
        problems = check(out, files)
        for problem in problems:
            err_console.print(problem, soft_wrap=True, highlight=False)
        if problems:
            err_console.print("run `nsl monitoring generate` to update them")
            raise typer.Exit(1)
        _say(f"{len(files)} monitoring files under {out} are up to date")
        return
    changed = write(out, files)
    for path in changed:
        _say(f"wrote {path}" if path.exists() else f"removed {path}")
    _say(f"{len(files)} files, {len(changed)} changed")
