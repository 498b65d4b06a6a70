"""What every command shares: the console, loading settings, running a coroutine."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from nsl.core.errors import NslError
from nsl.core.settings import Settings

console = Console()
err_console = Console(stderr=True)
T = TypeVar("T")


def load_settings(data_dir: Path | None = None) -> Settings:
    """Settings from the environment; ``--data-dir`` (when given) wins and is exported."""
    if data_dir is not None:
        os.environ["NSL_DATA_DIR"] = str(data_dir)
    try:
        return Settings.load()
    except ValueError as exc:
        err_console.print(f"[red]invalid settings:[/red] {exc}")
        raise typer.Exit(2) from exc


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine; an NslError becomes a red message and exit code 1."""
    try:
        return asyncio.run(coro)
    except NslError as exc:
        err_console.print(f"[red]{exc.code}:[/red] {exc.detail}")
        raise typer.Exit(1) from exc
