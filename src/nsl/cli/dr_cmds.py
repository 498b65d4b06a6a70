"""``nsl dr-test``: run a disaster-recovery drill on this machine and print its JSON report."""

from __future__ import annotations

import json
import shutil
import tempfile
from enum import StrEnum
from pathlib import Path

import typer

from nsl.cli.common import console, err_console
from nsl.ops.dr.drill import Drill, DrillOptions
from nsl.ops.dr.report import run


class ScenarioName(StrEnum):
    database_failure = "database_failure"
    complete_outage = "complete_outage"
    region_failure = "region_failure"


class EngineName(StrEnum):
    sqlite = "sqlite"
    postgresql = "postgresql"


def dr_test(
    scenario: ScenarioName = typer.Option(..., help="What to break."),
    engine: EngineName = typer.Option(EngineName.sqlite, help="The service layer's database."),
    workdir: Path | None = typer.Option(
        None, help="Work directory (kept); default: a fresh one under /tmp, removed after."
    ),
    json_out: Path | None = typer.Option(None, help="Also write the report to this file."),
    duration: float = typer.Option(5.0, min=1.0, help="Seconds of acknowledged writes."),
    backup_every: float = typer.Option(
        1.0, min=0.2, help="Incremental / WAL shipping interval during the drill (seconds)."
    ),
) -> None:
    """Break a real service layer (database, whole host or region), recover it, measure RTO/RPO.

    Exit code 0 when every target is met and every check passes, 1 otherwise.
    """
    directory = workdir or Path(tempfile.mkdtemp(prefix="nsl-dr-", dir="/tmp"))
    options = DrillOptions(
        scenario=scenario.value,
        engine=engine.value,
        workdir=directory.absolute(),
        duration_s=duration,
        backup_every_s=backup_every,
    )
    try:
        report = run(Drill(options))
    finally:
        if workdir is None:
            shutil.rmtree(directory, ignore_errors=True)
    text = json.dumps(report, indent=2, default=str)
    if json_out is not None:
        json_out.write_text(text + "\n")
    console.print_json(text) if console.is_terminal else print(text)
    if not report["passed"]:
        failed = [c["check"] for c in report["checks"] if not c["pass"]]
        missed = [name for name, t in report["targets"].items() if not t["pass"]]
        err_console.print(
            f"[red]drill failed[/red]: targets missed {missed}, checks failed {failed}"
        )
        raise typer.Exit(1)
