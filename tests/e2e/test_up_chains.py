"""``nsl up`` with its embedded dev chains: both chains serve, the platform contracts deploy
with ``nsl contracts deploy``, the faucet funds, and the chains stop with the host."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

from tests.e2e.conftest import run_nsl

from nsl.client import Client

CHAINS_ON = {"NSL_CHAINS__DEV__START": "true"}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _node_pids(data_dir: Path) -> list[int]:
    """The dev nodes of this data dir: neo-go names its config there, Hardhat its port."""
    urls = json.loads((data_dir / "devchains" / "endpoints.json").read_text())
    hardhat_port = f"--port {urls['neo-x'].rsplit(':', 1)[1]}"
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        neo_go = "neogo" in cmdline and str(data_dir) in cmdline
        hardhat = "hardhat" in cmdline and cmdline.rstrip().endswith(hardhat_port)
        if neo_go or hardhat:
            pids.append(int(entry.name))
    return pids


def _all_gone(pids: list[int], within: float) -> bool:
    deadline = time.monotonic() + within
    while any(_alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)  # polling other processes' exit
    return True


def test_up_starts_both_dev_chains_deploys_platform_contracts_and_stops_them(
    spawn: Any,
) -> None:
    process = spawn(env=CHAINS_ON)
    key = (process.data_dir / "admin-api-key").read_text().strip()
    with Client(process.url, api_key=key) as client:
        chains = {item["chain"]: item for item in client.chains()["items"]}
        assert chains["neo-n3"]["status"] == "ok" and chains["neo-n3"]["network_id"] == 7040001
        assert chains["neo-x"]["status"] == "ok" and chains["neo-x"]["network_id"] == 40001
        assert chains["neo-n3"]["height"] >= 1
        checks = {c["name"]: c["status"] for c in client.health()["services"]["platform"]["checks"]}
        assert checks["chain:neo-n3"] == checks["chain:neo-x"] == "ok"

        env = {"NSL_HTTP__PORT": str(process.port)}
        for chain in ("neo-n3", "neo-x"):
            deployed = run_nsl(
                "contracts", "deploy", "--chain", chain, data_dir=process.data_dir, env=env
            )
            assert deployed.returncode == 0, deployed.stderr + deployed.stdout
            addresses = json.loads(deployed.stdout)["contracts"]
            assert set(addresses) == {"ServiceRegistry", "OracleConsumer", "RandomnessConsumer"}
            again = run_nsl(
                "contracts", "deploy", "--chain", chain, data_dir=process.data_dir, env=env
            )
            assert json.loads(again.stdout)["contracts"] == addresses  # nothing redeployed
            listed = client.list_contracts(chain)
            assert listed["total"] == 3

        status = run_nsl("chains", "status", data_dir=process.data_dir)
        assert status.returncode == 0, status.stderr
        assert {i["chain"] for i in json.loads(status.stdout)["items"]} == {"neo-n3", "neo-x"}

    nodes = _node_pids(process.data_dir)
    assert len(nodes) == 2
    process.stop()
    assert _all_gone(nodes, within=15)
    assert not (process.data_dir / "devchains" / "endpoints.json").exists()


def test_dev_chains_die_with_a_killed_host(spawn: Any) -> None:
    process = spawn(env=CHAINS_ON)
    nodes = _node_pids(process.data_dir)
    assert len(nodes) == 2
    process.kill(signal.SIGKILL)
    assert _all_gone(nodes, within=15)
