"""The chains of one process, built from settings: which endpoints each chain uses.

Endpoints come from settings; a ``local`` chain without any uses the dev chain that ``nsl up``
started (its URL is in the data dir); ``mainnet``/``testnet`` without any use the network's
public nodes. A chain with no endpoint at all is reported, and every call to it is a 503.
"""

from __future__ import annotations

import logging

from nsl.chains.devnet import recorded_endpoints
from nsl.chains.neo_n3 import networks as n3_networks
from nsl.chains.neo_x import networks as nx_networks
from nsl.core.chain import NEO_N3, NEO_X, Chain, ChainUnavailable, chain_name
from nsl.core.clock import Clock
from nsl.core.metrics import Metrics
from nsl.core.settings import ChainSettings, Settings

log = logging.getLogger(__name__)

PUBLIC_ENDPOINTS = {NEO_N3: n3_networks.DEFAULT_ENDPOINTS, NEO_X: nx_networks.DEFAULT_ENDPOINTS}


def endpoint_urls(chain: str, config: ChainSettings, settings: Settings) -> list[str]:
    if config.endpoints:
        return [url.get_secret_value() for url in config.endpoints]
    if config.network == "local":
        recorded = recorded_endpoints(settings.data_dir).get(chain)
        return [recorded] if recorded else []
    return list(PUBLIC_ENDPOINTS[chain].get(config.network, []))


class ChainRegistry:
    """Every enabled chain with endpoints; the others are named with the reason."""

    def __init__(self, settings: Settings, metrics: Metrics, clock: Clock) -> None:
        self._chains: dict[str, Chain] = {}
        self._missing: dict[str, str] = {}
        n3, nx = settings.chains.neo_n3, settings.chains.neo_x
        for name, config in ((NEO_N3, n3), (NEO_X, nx)):
            if not config.enabled:
                self._missing[name] = f"{name} is disabled (NSL_CHAINS__{_env(name)}__ENABLED)"
                continue
            urls = endpoint_urls(name, config, settings)
            if not urls:
                self._missing[name] = (
                    f"{name} has no RPC endpoint: start the dev chains with `nsl up` or set "
                    f"NSL_CHAINS__{_env(name)}__ENDPOINTS"
                )
                continue
            # imported on demand: web3 and neo-mamba take seconds to import
            if name == NEO_N3:
                from nsl.chains.neo_n3.adapter import NeoN3Chain

                self._chains[name] = NeoN3Chain(n3, urls, metrics, clock)
            else:
                from nsl.chains.neo_x.adapter import NeoXChain

                self._chains[name] = NeoXChain(nx, urls, metrics, clock)

    def get(self, name: str) -> Chain:
        chain = self._chains.get(chain_name(name))
        if chain is None:
            raise ChainUnavailable(self._missing[name])
        return chain

    def all(self) -> list[Chain]:
        return list(self._chains.values())

    def missing(self) -> dict[str, str]:
        return dict(self._missing)

    async def start(self) -> None:
        """Open every chain. A node that cannot be reached does not stop the host: health
        reports the chain down and each call retries its endpoints."""
        for chain in self._chains.values():
            try:
                await chain.start()
            except ChainUnavailable as exc:
                log.warning("chain %s unavailable at start: %s", chain.name, exc.detail)

    async def close(self) -> None:
        for chain in self._chains.values():
            await chain.close()


def _env(chain: str) -> str:
    return chain.replace("-", "_").upper()
