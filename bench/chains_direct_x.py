"""Neo X baseline: the same ``request(seed)`` call as EIP-1559 transactions pre-signed in this
process with eth-account and sent straight to Hardhat with web3 over kept-alive connections;
each is awaited to its receipt (polled every 20 ms, as the adapter's first poll)."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from eth_abi.abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import AsyncHTTPProvider, AsyncWeb3
from web3.exceptions import TransactionNotFound

from bench.chains_loop import Operation
from bench.servers import BenchError

POLL_S = 0.02
RECEIPT_TIMEOUT_S = 30.0
GAS_MARGIN = 1.25
TIP_WEI = 10**9
SEED_BYTES = 32
SELECTOR = keccak(text="request(bytes)")[:4]


def call_data(seed: bytes) -> bytes:
    return SELECTOR + encode(["bytes"], [seed])


@dataclass(repr=False)
class Sender:
    """A throw-away in-process key and the next nonce this process will use for it."""

    account: LocalAccount = field(default_factory=Account.create)
    nonce: int | None = None

    @property
    def address(self) -> str:
        return str(self.account.address)


class NeoXDirect:
    label = (
        "same call pre-signed in-process (eth-account EIP-1559), eth_sendRawTransaction straight"
        " to Hardhat with web3 (kept-alive connections), each awaited to its receipt"
    )
    block_ms: int | None = None  # Hardhat mines a block per transaction, at once

    def __init__(self, w3: AsyncWeb3[Any], contract: str, chain_id: int) -> None:
        self.w3 = w3
        self.contract = to_checksum_address(contract)
        self.chain_id = chain_id

    def new_sender(self) -> Sender:
        return Sender()

    def per_worker_bound(self) -> float | None:
        return None  # no block time: the node's own speed is the limit

    @classmethod
    async def open(cls, url: str, contract: str) -> NeoXDirect:
        provider = AsyncHTTPProvider(
            url, cache_allowed_requests=True, exception_retry_configuration=None
        )
        # web3's own session closes the connection after every request (force_close): the
        # baseline keeps connections alive, as the node allows, so it is not slowed by connects
        await provider.cache_async_session(aiohttp.ClientSession(raise_for_status=True))
        w3 = AsyncWeb3(provider)
        return cls(w3, contract, await w3.eth.chain_id)

    async def close(self) -> None:
        await self.w3.provider.disconnect()

    async def presign(self, sender: Sender, count: int) -> deque[tuple[str, bytes, int]]:
        """``count`` signed transactions continuing ``sender``'s nonces, oldest first; gas
        from one estimate plus a margin, fees from the latest base fee (it only falls here:
        one small transaction per block)."""
        if sender.nonce is None:
            sender.nonce = await self.w3.eth.get_transaction_count(sender.account.address)
        seed = secrets.token_bytes(SEED_BYTES)  # not zeros: a stored zero word costs no gas
        probe = {"from": sender.address, "to": self.contract, "data": call_data(seed)}
        gas = int(await self.w3.eth.estimate_gas(probe) * GAS_MARGIN)  # type: ignore[arg-type]
        base = int((await self.w3.eth.get_block("latest"))["baseFeePerGas"])
        pool: deque[tuple[str, bytes, int]] = deque()
        for nonce in range(sender.nonce, sender.nonce + count):
            tx = {
                "type": 2,
                "chainId": self.chain_id,
                "nonce": nonce,
                "to": self.contract,
                "value": 0,
                "gas": gas,
                "maxFeePerGas": 2 * base + TIP_WEI,
                "maxPriorityFeePerGas": TIP_WEI,
                "data": call_data(secrets.token_bytes(SEED_BYTES)),
            }
            signed = sender.account.sign_transaction(tx)  # type: ignore[arg-type]
            pool.append(
                ("0x" + signed.hash.hex().removeprefix("0x"), signed.raw_transaction, nonce)
            )
        return pool

    def operation(self, sender: Sender, pool: deque[tuple[str, bytes, int]]) -> Operation:
        """Send ``sender``'s next pre-signed transaction and wait for its receipt (status 1);
        the nonces of transactions never sent are used again by the next pool."""

        async def run() -> bool:
            if not pool:
                return False
            tx_hash, raw, nonce = pool.popleft()
            await self.w3.eth.send_raw_transaction(raw)
            sender.nonce = nonce + 1
            receipt = await self._receipt(tx_hash)
            if receipt["status"] != 1:
                raise BenchError(f"neo-x direct transaction {tx_hash} reverted")
            return True

        return run

    async def _receipt(self, tx_hash: str) -> Any:
        deadline = time.monotonic() + RECEIPT_TIMEOUT_S
        while True:
            try:
                return await self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
            except TransactionNotFound:
                if time.monotonic() > deadline:
                    raise BenchError(f"neo-x: no receipt for {tx_hash} after 30 s") from None
            await asyncio.sleep(POLL_S)
