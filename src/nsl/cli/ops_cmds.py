"""Operator checks: ``nsl smoke``, ``nsl verify`` and ``nsl readiness``."""

from __future__ import annotations

import json
import ssl
from enum import StrEnum
from pathlib import Path

import httpx
import typer
from rich.markup import escape
from rich.table import Table

from nsl.cli.common import console, err_console
from nsl.ops.readiness import build_report
from nsl.ops.readiness_render import render_json, render_markdown
from nsl.ops.report import Outcome, Result, all_passed
from nsl.ops.smoke import DEFAULT_BURST, SmokeOptions, run_smoke
from nsl.ops.verify import run_verify

_COLOURS = {Outcome.PASSED: "green", Outcome.FAILED: "red", Outcome.SKIPPED: "yellow"}


class ReportFormat(StrEnum):
    table = "table"
    json = "json"


class DocFormat(StrEnum):
    md = "md"
    json = "json"


def _client(url: str, timeout: float, ca_file: Path | None) -> httpx.Client:
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        err_console.print(f"[red]bad URL:[/red] {escape(url)} (expected http(s)://host[:port])")
        raise typer.Exit(2)
    verify: ssl.SSLContext | bool = True
    if ca_file is not None:
        if not ca_file.is_file():
            err_console.print(f"[red]no such CA file:[/red] {ca_file}")
            raise typer.Exit(2)
        verify = ssl.create_default_context(cafile=str(ca_file))
    return httpx.Client(base_url=url.rstrip("/"), timeout=timeout, verify=verify)


def _report(title: str, results: list[Result], fmt: ReportFormat) -> None:
    ok = all_passed(results)
    if fmt is ReportFormat.json:
        print(json.dumps({"check": title, "passed": ok, "results": [r.as_dict() for r in results]}))
    else:
        table = Table("check", "outcome", "detail", title=title)
        for r in results:
            table.add_row(r.name, f"[{_COLOURS[r.outcome]}]{r.outcome}[/]", escape(r.detail))
        console.print(table)
        failures = sum(r.outcome is Outcome.FAILED for r in results)
        skips = sum(r.outcome is Outcome.SKIPPED for r in results)
        skipped = f" ({skips} skipped)" if skips else ""
        verdict = f"[green]all checks performed passed[/green]{skipped}"
        console.print(verdict if ok else f"[red]{failures} failed[/red]{skipped}")
    raise typer.Exit(0 if ok else 1)


_URL_HELP = "Base URL of a running service layer."
_CA_HELP = "PEM file of a CA (or self-signed certificate) to trust for https."


def smoke(
    url: str = typer.Argument(..., help=_URL_HELP),
    api_key: str | None = typer.Option(None, help="Also check an authenticated request."),
    origin: str | None = typer.Option(None, help="An allowed CORS origin to check."),
    burst: int = typer.Option(
        DEFAULT_BURST, min=0, help="Requests sent to provoke a 429 (0: do not check)."
    ),
    timeout: float = typer.Option(5.0, help="Seconds to wait for each answer."),
    ca_file: Path | None = typer.Option(None, help=_CA_HELP),
    format: ReportFormat = typer.Option(ReportFormat.table, help="table or json."),
) -> None:
    """The seed's smoke tests; exit 1 when any check fails (skipped checks are listed)."""
    options = SmokeOptions(api_key=api_key, origin=origin, burst=burst)
    with _client(url, timeout, ca_file) as client:
        results = run_smoke(client, options)
    _report(f"smoke {url}", results, format)


def verify(
    service: str = typer.Argument(..., help="Catalogue name, or 'gateway' for the whole process."),
    version: str = typer.Argument(..., help="The version it must report."),
    url: str = typer.Option("http://127.0.0.1:8080", help=_URL_HELP),
    timeout: float = typer.Option(5.0, help="Seconds to wait for each answer."),
    ca_file: Path | None = typer.Option(None, help=_CA_HELP),
    format: ReportFormat = typer.Option(ReportFormat.table, help="table or json."),
) -> None:
    """Enabled, healthy, the expected version, and at least 10 metric families; exit 1 if not."""
    with _client(url, timeout, ca_file) as client:
        try:
            results = run_verify(client, service, version)
        except ValueError as exc:
            err_console.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(2) from exc
    _report(f"verify {service} {version}", results, format)


def readiness(
    format: DocFormat = typer.Option(DocFormat.md, help="md or json."),
    junit: Path | None = typer.Option(None, help="JUnit XML of a pytest run: report results."),
    root: Path = typer.Option(Path("."), help="Repository root (where tests/ is)."),
    output: Path | None = typer.Option(None, help="Write to this file instead of stdout."),
) -> None:
    """Readiness per service from the catalogue, its routers and the test tree."""
    try:
        rows = build_report(root, junit)
    except ValueError as exc:
        err_console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    text = (
        render_json(rows)
        if format is DocFormat.json
        else render_markdown(rows, junit.name if junit else None)
    )
    if output is None:
        print(text)
    else:
        output.write_text(text if text.endswith("\n") else text + "\n")
        console.print(f"wrote {output}")


def register(app: typer.Typer) -> None:
    """Add ``smoke``, ``verify`` and ``readiness`` to the top-level ``nsl`` app."""
    app.command("smoke")(smoke)
    app.command("verify")(verify)
    app.command("readiness")(readiness)
