"""What the chain scenarios stand on, made as a user makes it: ``nsl up`` with its dev chains,
the platform contracts from ``nsl contracts deploy``, managed keys from the keys API, funded
from the dev faucet (``nsl.chains.devnet.faucet``)."""

from __future__ import annotations

import asyncio
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench import servers
from bench.run import service_env
from bench.servers import BenchError, Server
from nsl.chains.devnet import recorded_endpoints
from nsl.chains.devnet.faucet import fund
from nsl.client import AsyncClient
from nsl.core.chain import NEO_N3, NEO_X
from nsl.core.settings import Settings

CHAINS = (NEO_N3, NEO_X)
CONSUMER = "RandomnessConsumer"
READY_DEADLINE_S = 120.0
DEPLOY_TIMEOUT_S = 300.0
KEY_TYPES = {NEO_N3: "secp256r1", NEO_X: "secp256k1"}
FUNDING = {NEO_N3: 1_000 * 10**8, NEO_X: 100 * 10**18}  # 1,000 GAS / 100 native coins
KEY_RATE_LIMIT = 100_000_000  # per minute: the keys' own limit must not refuse the load


@dataclass(frozen=True)
class Service:
    """``nsl up`` serving on ``server.base_url``, its dev chains at ``endpoints``."""

    server: Server
    port: int
    data_dir: Path
    env: dict[str, str]
    admin_key: str
    endpoints: dict[str, str]


@dataclass(frozen=True)
class ManagedKey:
    key_id: str
    address: str


def start(workdir: Path, admin_key: str, extra_env: dict[str, str]) -> Service:
    """``nsl up`` on a fresh data dir with its dev chains (neo-go, Hardhat), once ready."""
    port, data_dir = servers.free_port(), workdir / "data"
    data_dir.mkdir()
    env = {**service_env(admin_key), "NSL_CHAINS__DEV__START": "true", **extra_env}
    argv = servers.nsl_argv(port, data_dir)
    server = servers.start("nsl up", argv, port, workdir / "nsl.log", env=env)
    try:
        servers.wait_ready(server, "/health/ready", READY_DEADLINE_S)
    except BaseException:
        servers.stop(server)
        raise
    endpoints = recorded_endpoints(data_dir)
    if set(endpoints) != set(CHAINS):
        servers.stop(server)
        raise BenchError(f"nsl up started dev chains {sorted(endpoints)}, not {list(CHAINS)}")
    return Service(server, port, data_dir, env, admin_key, endpoints)


def deploy_platform(service: Service, workdir: Path) -> None:
    """``nsl contracts deploy --chain C`` for both chains at once, as an operator runs it."""
    env = {**service.env, "NSL_HTTP__PORT": str(service.port), "NSL_API_KEY": service.admin_key}
    running = []
    for chain in CHAINS:
        log = workdir / f"deploy-{chain}.log"
        argv = [str(servers.BIN / "nsl"), "contracts", "deploy", "--chain", chain]
        argv += ["--data-dir", str(service.data_dir)]
        with log.open("wb") as out:
            process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        running.append((chain, process, log))
    for chain, process, log in running:
        try:
            code = process.wait(timeout=DEPLOY_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            code = None
        if code != 0:
            tail = log.read_text(errors="replace")[-2000:]
            raise BenchError(f"nsl contracts deploy --chain {chain} exited {code}:\n{tail}")


async def consumer_address(client: AsyncClient, chain: str) -> str:
    """The deployed RandomnessConsumer, found as a user finds it: by its deployment name."""
    listing = await client.list_contracts(chain, name=f"nsl:{CONSUMER}")
    for item in listing["items"]:
        if item.get("status") == "succeeded" and item.get("address"):
            return str(item["address"])
    raise BenchError(f"no deployed nsl:{CONSUMER} on {chain}: {json.dumps(listing)[:500]}")


async def managed_keys(client: AsyncClient, chain: str, count: int) -> list[ManagedKey]:
    """``count`` new keys of the chain's curve, each its own sender."""
    keys = []
    for index in range(count):
        created = await client.create_managed_key(
            KEY_TYPES[chain],
            ["sign", "verify"],
            name=f"bench-{chain}-{index}",
            rate_limit_per_minute=KEY_RATE_LIMIT,
        )
        address = created["neo_address"] if chain == NEO_N3 else created["evm_address"]
        keys.append(ManagedKey(str(created["key_id"]), str(address)))
    return keys


async def fund_all(service: Service, chain: str, addresses: list[str]) -> None:
    """Fund every address from the dev chain's faucet (the node's own dev account)."""
    settings = Settings(data_dir=service.data_dir)
    if chain == NEO_N3:  # no nonces on Neo N3: the transfers can share blocks
        await asyncio.gather(*(fund(settings, chain, a, FUNDING[chain]) for a in addresses))
        return
    for address in addresses:  # one funded account on Hardhat: its nonces go one by one
        await fund(settings, chain, address, FUNDING[chain])
