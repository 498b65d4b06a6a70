"""The embedded Hardhat node: our funded key (0600, reused), chain id, faucet, stop, restart."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import aiohttp
import coincurve
from eth_account import Account

from nsl.chains.devnet.hardhat import KEY_FILE, HardhatNode, fund

CHAIN_ID = 40_777


async def rpc(url: str, method: str, *params: Any) -> Any:
    async with aiohttp.ClientSession() as session:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
        async with session.post(url, json=body) as response:
            answer = await response.json()
    assert "error" not in answer, answer
    return answer["result"]


async def test_the_node_serves_our_chain_id_and_funds_from_our_own_key(tmp_path: Path) -> None:
    node = HardhatNode(tmp_path / "neo-x", CHAIN_ID)
    node.start()
    try:
        key_file = tmp_path / "neo-x" / KEY_FILE
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        funded = Account.from_key(bytes.fromhex(key_file.read_text())).address
        assert funded == node.funded_address
        assert await rpc(node.rpc_url, "eth_chainId") == hex(CHAIN_ID)
        assert await rpc(node.rpc_url, "eth_accounts") == [funded.lower()]

        someone = Account.from_key(coincurve.PrivateKey().secret).address
        tx_hash = await fund(node.rpc_url, CHAIN_ID, someone, 12345)
        receipt = await rpc(node.rpc_url, "eth_getTransactionReceipt", tx_hash)
        assert receipt["status"] == "0x1"
        assert int(await rpc(node.rpc_url, "eth_getBalance", someone, "latest"), 16) == 12345
    finally:
        node.stop()
    assert not node.running

    again = HardhatNode(tmp_path / "neo-x", CHAIN_ID)
    again.start()
    try:
        assert again.funded_address == funded  # the key is reused ...
        assert await rpc(again.rpc_url, "eth_blockNumber") == "0x0"  # ... the chain is not
    finally:
        again.stop()
