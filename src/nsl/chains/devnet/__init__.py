"""Embedded dev chains: a neo-go node (Neo N3) and a Hardhat node (Neo X) on loopback.

``nsl up`` starts them when a chain is on ``network=local`` with no endpoint configured, and
stops them with the host. Their URLs go into ``<data_dir>/devchains/endpoints.json`` so other
``nsl`` commands on this machine find them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nsl.core.chain import NEO_N3, NEO_X
from nsl.core.settings import Settings

ENDPOINTS_FILE = "endpoints.json"


def devchains_dir(data_dir: Path) -> Path:
    return data_dir / "devchains"


def wants_dev_chain(settings: Settings, chain: str) -> bool:
    """A chain is served by our dev node when it is local, enabled and has no endpoint (never
    in production, which refuses such settings)."""
    if settings.env == "production":
        return False
    config = settings.chains.neo_n3 if chain == NEO_N3 else settings.chains.neo_x
    return config.enabled and config.network == "local" and not config.endpoints


def recorded_endpoints(data_dir: Path) -> dict[str, str]:
    """The dev chains' URLs written by the process that started them ({} when none)."""
    try:
        data = json.loads((devchains_dir(data_dir) / ENDPOINTS_FILE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return {str(k): str(v) for k, v in data.items()}


@dataclass
class DevChains:
    """The dev nodes this process started (only those the settings ask for)."""

    settings: Settings
    nodes: dict[str, Any] = field(default_factory=dict)

    def start(self) -> dict[str, str]:
        """Start the wanted nodes; returns {chain: rpc_url}."""
        from nsl.chains.devnet.hardhat import HardhatNode
        from nsl.chains.devnet.neo_go import NeoGoNode

        root = devchains_dir(self.settings.data_dir)
        dev = self.settings.chains.dev
        try:
            if wants_dev_chain(self.settings, NEO_N3):
                node = NeoGoNode(root / "neo-n3", dev.neo_n3_magic, dev.block_time_ms)
                node.start()
                self.nodes[NEO_N3] = node
            if wants_dev_chain(self.settings, NEO_X):
                evm = HardhatNode(root / "neo-x", dev.neo_x_chain_id, hardhat_dir=dev.hardhat_dir)
                evm.start()
                self.nodes[NEO_X] = evm
        except BaseException:
            self.stop()
            raise
        urls = {chain: node.rpc_url for chain, node in self.nodes.items()}
        if urls:
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
            (root / ENDPOINTS_FILE).write_text(json.dumps(urls))
        return urls

    def export(self, urls: dict[str, str]) -> None:
        """Point this process's (and its workers') settings at the started nodes."""
        names = {NEO_N3: "NEO_N3", NEO_X: "NEO_X"}
        dev = self.settings.chains.dev
        ids = {NEO_N3: dev.neo_n3_magic, NEO_X: dev.neo_x_chain_id}
        for chain, url in urls.items():
            os.environ[f"NSL_CHAINS__{names[chain]}__ENDPOINTS"] = json.dumps([url])
            os.environ[f"NSL_CHAINS__{names[chain]}__NETWORK_ID"] = str(ids[chain])

    def stop(self) -> None:
        for node in self.nodes.values():
            node.stop()
        self.nodes.clear()
        (devchains_dir(self.settings.data_dir) / ENDPOINTS_FILE).unlink(missing_ok=True)
