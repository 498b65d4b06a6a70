"""Real dev chains for the tests: one neo-go node (Neo N3) and one Hardhat node (Neo X) on
127.0.0.1 for the whole session, started by the ``dev_chains`` fixture and stopped after.

Two halves with one owner each: the Neo N3 half (``start_neo_n3``/``fund_neo_n3``) belongs to
the Neo N3 work, the Neo X half (``start_neo_x``/``fund_neo_x``) to the Neo X work.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from nsl.chains.devnet.hardhat import HardhatNode
from nsl.chains.devnet.hardhat import fund as hardhat_fund
from nsl.chains.devnet.neo_go import NeoGoNode
from nsl.core.chain import NEO_N3, NEO_X

NEO_N3_MAGIC = 7_040_001
NEO_N3_BLOCK_TIME_MS = 100
NEO_X_CHAIN_ID = 40_001


# --- Neo N3 half (neo-go) ------------------------------------------------------------------


def start_neo_n3(workdir: Path) -> NeoGoNode:
    node = NeoGoNode(workdir, NEO_N3_MAGIC, NEO_N3_BLOCK_TIME_MS)
    node.start()
    return node


async def fund_neo_n3(node: NeoGoNode, address: str, amount_datoshi: int) -> str:
    return await node.fund(address, amount_datoshi)


# --- Neo X half (Hardhat) ------------------------------------------------------------------


def start_neo_x(workdir: Path) -> HardhatNode:
    """Hardhat from ``tools/hardhat`` (``make hardhat`` installs it) with our funded key."""
    node = HardhatNode(workdir, NEO_X_CHAIN_ID)
    node.start()
    return node


async def fund_neo_x(rpc_url: str, address: str, amount_wei: int) -> str:
    return await hardhat_fund(rpc_url, NEO_X_CHAIN_ID, address, amount_wei)


def neo_x_overrides(rpc_url: str) -> dict[str, Any]:
    return {"network": "local", "endpoints": [rpc_url], "network_id": NEO_X_CHAIN_ID}


# --- both ----------------------------------------------------------------------------------


@dataclass
class DevChainsHandle:
    neo_n3: NeoGoNode
    neo_x: HardhatNode
    nodes: list[Any] = field(default_factory=list)

    @property
    def neo_n3_url(self) -> str:
        return self.neo_n3.rpc_url

    @property
    def neo_x_url(self) -> str:
        return self.neo_x.rpc_url

    def settings_overrides(self) -> dict[str, Any]:
        """``Settings(chains=...)`` pointing both chains at these nodes (no embedded start)."""
        return {
            "neo_n3": {
                "network": "local",
                "endpoints": [self.neo_n3_url],
                "network_id": NEO_N3_MAGIC,
            },
            "neo_x": neo_x_overrides(self.neo_x_url),
            "dev": {"start": False},
        }

    async def fund(self, chain: str, address: str, amount: int) -> str:
        """GAS datoshi on Neo N3, wei on Neo X; the transaction hash once it landed."""
        if chain == NEO_N3:
            return await fund_neo_n3(self.neo_n3, address, amount)
        if chain == NEO_X:
            return await fund_neo_x(self.neo_x_url, address, amount)
        raise ValueError(f"unknown chain {chain!r}")


@pytest.fixture(scope="session")
def dev_chains(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevChainsHandle]:
    root = tmp_path_factory.mktemp("devchains")
    started: list[NeoGoNode | HardhatNode] = []
    try:
        n3 = start_neo_n3(root / "neo-n3")
        started.append(n3)
        evm = start_neo_x(root / "neo-x")
        started.append(evm)
        yield DevChainsHandle(n3, evm, list(started))
    finally:
        for node in reversed(started):
            node.stop()
