"""``nsl contracts deploy --chain C``: the platform contracts onto a chain, through the API.

The deployer is a key of the keys service named ``platform-<chain>`` (made on first use),
which becomes each contract's admin and the randomness consumer's fulfiller (so
``POST /randomness/{id}/publish`` with that key works at once). On a local dev
chain it is funded from the dev faucet first. A contract already deployed under its name
(``nsl:<Contract>``) and still on chain is left alone, so the command can be re-run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from nsl.chains.artifacts import PLATFORM_CONTRACTS, Artifact, load_artifact
from nsl.chains.devnet.faucet import fund as faucet_fund
from nsl.cli.common import console, err_console, load_settings, run
from nsl.client import Client
from nsl.client.errors import ApiError
from nsl.core.chain import NEO_N3, chain_name
from nsl.core.settings import Settings

contracts_app = typer.Typer(help="Platform contracts on Neo N3 and Neo X.")

KEY_TYPES = {NEO_N3: "secp256r1", "neo-x": "secp256k1"}
DEV_FUNDING = {NEO_N3: 1_000 * 10**8, "neo-x": 100 * 10**18}  # 1,000 GAS / 100 native coins
ADMIN_KEY_FILE = "admin-api-key"


def deployer_key(client: Client, chain: str) -> dict[str, Any]:
    """The ``platform-<chain>`` key, created when missing."""
    name = f"platform-{chain}"
    page = 1
    while True:
        listing = client.list_managed_keys(key_type=KEY_TYPES[chain], page=page, page_size=500)
        for key in listing["items"]:
            if key.get("name") == name and key.get("status") == "active":
                return dict(key)
        if page * 500 >= listing["total"]:
            break
        page += 1
    return dict(client.create_managed_key(KEY_TYPES[chain], ["sign", "verify"], name=name))


def account_of(chain: str, key: dict[str, Any]) -> str:
    return str(key["neo_address"] if chain == NEO_N3 else key["evm_address"])


def deployed(client: Client, chain: str, name: str) -> dict[str, Any] | None:
    """Our live deployment named ``name`` on ``chain`` (gone from the chain = not deployed)."""
    for item in client.list_contracts(chain, name=name)["items"]:
        if item.get("status") != "succeeded" or not item.get("address"):
            continue
        try:
            client.get_contract(chain, item["address"])
        except ApiError as exc:
            if exc.status == 404:
                continue
            raise
        return dict(item)
    return None


def deploy_one(client: Client, chain: str, key_id: str, artifact: Artifact) -> dict[str, Any]:
    label = f"nsl:{artifact.name}"
    if chain == NEO_N3:
        assert artifact.manifest is not None
        return dict(
            client.deploy_neo_n3_contract(key_id, artifact.code, artifact.manifest, name=label)
        )
    return dict(client.deploy_neo_x_contract(key_id, artifact.code, artifact.abi, name=label))


def deploy_platform(client: Client, settings: Settings, chain: str) -> dict[str, str]:
    """Deploy what is missing; {contract name: address}."""
    key = deployer_key(client, chain)
    network = settings.chains.neo_n3.network if chain == NEO_N3 else settings.chains.neo_x.network
    if network == "local":
        run(faucet_fund(settings, chain, account_of(chain, key), DEV_FUNDING[chain]))
    addresses: dict[str, str] = {}
    for name in PLATFORM_CONTRACTS:
        record = deployed(client, chain, f"nsl:{name}")
        if record is None:
            record = deploy_one(client, chain, key["key_id"], load_artifact(chain, name))
            if name == "RandomnessConsumer":
                set_fulfiller(client, chain, str(record["address"]), key)
        addresses[name] = str(record["address"])
    return addresses


def set_fulfiller(client: Client, chain: str, contract: str, key: dict[str, Any]) -> None:
    """The deployer's account fulfils the randomness consumer until its admin says otherwise."""
    account: Any = account_of(chain, key)
    if chain == NEO_N3:
        account = {"type": "Hash160", "value": account}
    outcome = client.invoke_contract(chain, contract, "set_fulfiller", key["key_id"], [account])
    if outcome["state"] != "HALT":
        raise typer.BadParameter(f"set_fulfiller failed: {outcome.get('exception')}")


def _api_key(settings: Settings, given: str | None) -> str:
    if given:
        return given
    path = settings.data_dir / ADMIN_KEY_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        err_console.print(f"[red]no --api-key given and no {path}[/red]")
        raise typer.Exit(2) from None


@contracts_app.command("deploy")
def deploy(
    chain: str = typer.Option(..., help="neo-n3 or neo-x"),
    url: str | None = typer.Option(None, help="API base URL (default: this host's settings)."),
    api_key: str | None = typer.Option(
        None, envvar="NSL_API_KEY", help="Admin API key (default: the bootstrap key file)."
    ),
    data_dir: Path | None = typer.Option(None, help="Data directory of the running `nsl up`."),
) -> None:
    """Deploy the service registry, oracle consumer and randomness consumer to CHAIN."""
    settings = load_settings(data_dir)
    chain = chain_name(chain)
    base = url or f"http://{settings.http.host}:{settings.http.port}"
    with Client(base, api_key=_api_key(settings, api_key), timeout=120) as client:
        try:
            addresses = deploy_platform(client, settings, chain)
        except ApiError as exc:
            err_console.print(f"[red]{exc.code}:[/red] {exc.detail}")
            raise typer.Exit(1) from exc
    console.print_json(json.dumps({"chain": chain, "contracts": addresses}))
