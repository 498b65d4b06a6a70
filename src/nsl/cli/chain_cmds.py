"""``nsl chains``: the configured chains' health, and the dev chains' faucet."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from nsl.chains.devnet.faucet import fund as faucet_fund
from nsl.chains.registry import ChainRegistry
from nsl.cli.common import console, load_settings, run
from nsl.core.clock import SystemClock
from nsl.core.metrics import Metrics
from nsl.runtime.chains_view import describe_all

chains_app = typer.Typer(help="Neo N3 and Neo X chains: status and the dev faucet.")


@chains_app.command("status")
def status(data_dir: Path | None = typer.Option(None, help="Data directory.")) -> None:
    """Each configured chain: network, height and endpoint circuits (JSON)."""
    settings = load_settings(data_dir)
    registry = ChainRegistry(settings, Metrics("cli", settings.env), SystemClock())

    async def report() -> list[dict[str, object]]:
        await registry.start()
        try:
            return await describe_all(registry)
        finally:
            await registry.close()

    items = run(report())
    console.print_json(json.dumps({"items": items}))
    if any(item.get("status") == "down" for item in items):
        raise typer.Exit(1)


@chains_app.command("fund")
def fund(
    chain: str = typer.Option(..., help="neo-n3 or neo-x"),
    address: str = typer.Option(..., help="N… address (Neo N3) or 0x… address (Neo X)"),
    amount: int = typer.Option(..., help="GAS datoshi (Neo N3) or wei (Neo X)"),
    data_dir: Path | None = typer.Option(None, help="Data directory of the running `nsl up`."),
) -> None:
    """Fund an address on a local dev chain started by ``nsl up``."""
    settings = load_settings(data_dir)
    tx_hash = run(faucet_fund(settings, chain, address, amount))
    console.print(f"funded {address} on {chain}: {tx_hash}")
