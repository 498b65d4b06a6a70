"""Neo X networks: chain ids and public RPC endpoints, and what a chain's settings resolve to."""

from __future__ import annotations

from dataclasses import dataclass

from nsl.core.errors import SettingsError
from nsl.core.settings import ChainSettings


@dataclass(frozen=True)
class NeoXNetwork:
    name: str
    chain_id: int | None  # None: a local chain, whose id is asked of the node
    endpoints: tuple[str, ...]


MAINNET = NeoXNetwork(
    "mainnet", 47763, ("https://mainnet-1.rpc.banelabs.org", "https://mainnet-2.rpc.banelabs.org")
)
TESTNET = NeoXNetwork("testnet", 12227332, ("https://testnet.rpc.banelabs.org",))
LOCAL = NeoXNetwork("local", None, ())
NETWORKS = {n.name: n for n in (MAINNET, TESTNET, LOCAL)}
DEFAULT_ENDPOINTS: dict[str, list[str]] = {n.name: list(n.endpoints) for n in (MAINNET, TESTNET)}
EIP170_RUNTIME_LIMIT = 24 * 1024  # deployed code, bytes
EIP3860_INITCODE_LIMIT = 2 * EIP170_RUNTIME_LIMIT  # creation code, bytes


def endpoints(settings: ChainSettings) -> list[str]:
    """The configured endpoint URLs, else the network's public ones (secrets stay in here)."""
    configured = [s.get_secret_value() for s in settings.endpoints]
    urls = configured or list(NETWORKS[settings.network].endpoints)
    if not urls:
        raise SettingsError(
            "neo-x: no RPC endpoint; set NSL_CHAINS__NEO_X__ENDPOINTS or start the dev chain"
        )
    return urls


def expected_chain_id(settings: ChainSettings) -> int | None:
    """The chain id the node must report: the setting, else the network's (None: local)."""
    known = NETWORKS[settings.network].chain_id
    if settings.network_id is not None:
        if known is not None and settings.network_id != known:
            raise SettingsError(
                f"neo-x: network_id {settings.network_id} is not {settings.network}'s ({known})"
            )
        return settings.network_id
    return known
