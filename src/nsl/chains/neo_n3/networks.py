"""Known Neo N3 networks: their magic (signed into every witness) and default public RPC nodes."""

from __future__ import annotations

MAINNET_MAGIC = 860_833_102
TESTNET_MAGIC = 894_710_606

MAGICS: dict[str, int] = {"mainnet": MAINNET_MAGIC, "testnet": TESTNET_MAGIC}

DEFAULT_ENDPOINTS: dict[str, list[str]] = {
    "mainnet": [
        "https://mainnet1.neo.coz.io:443",
        "https://mainnet2.neo.coz.io:443",
    ],
    "testnet": [
        "https://testnet1.neo.coz.io:443",
        "https://testnet2.neo.coz.io:443",
    ],
}


def expected_magic(network: str, configured: int | None) -> int | None:
    """The magic a node must answer with: the configured one, else the network's known one
    (``local``: whatever the node says)."""
    if configured is not None:
        return configured
    return MAGICS.get(network)
