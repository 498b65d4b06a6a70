"""Send Neo X transactions: EIP-1559 fields from the node, a TxSigner's signature, the receipt.

Gas is ``eth_estimateGas`` (on ``latest``) plus a margin, capped by ``max_gas``; fees are twice
the latest base fee plus the node's suggested tip. The signer (the enclave) signs the hash;
the signature must recover to the signer's own key before anything is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import coincurve

from nsl.chains.endpoints import EndpointFailure
from nsl.chains.neo_x.accounts import parse_address
from nsl.chains.neo_x.eip1559 import Eip1559Transaction, sign_transaction, transaction_hash
from nsl.chains.neo_x.logs import EventIndex, to_event
from nsl.chains.neo_x.nonces import NonceKeeper
from nsl.chains.neo_x.rpc import EvmRpc, PooledRpc, RpcError, quantity
from nsl.core.chain import ChainRejected, ChainTimeout, ChainUnavailable, TxSigner
from nsl.core.clock import Clock
from nsl.core.enclave import SignAlgorithm
from nsl.core.errors import NslError, ValidationFailed
from nsl.core.settings import ChainSettings

GAS_MARGIN = 0.2
POLL_FIRST_S = 0.02
POLL_MAX_S = 1.0
_ACCEPTED = ("already known", "known transaction", "already imported")


@dataclass(frozen=True)
class Fees:
    base: int
    tip: int

    @property
    def max_fee(self) -> int:
        return 2 * self.base + self.tip


@dataclass(frozen=True)
class Sent:
    tx_hash: str
    sender: str
    tx: Eip1559Transaction


class Transactor:
    """Builds, signs and sends transactions through the chain's endpoint pool."""

    def __init__(self, rpc: PooledRpc, settings: ChainSettings, clock: Clock) -> None:
        self.rpc = rpc
        self.settings = settings
        self.clock = clock
        self.nonces = NonceKeeper()

    async def fees(self) -> Fees:
        base, tip = await asyncio.gather(
            self.rpc.parsed(_base_fee, "eth_getBlockByNumber", "latest", False), self._tip()
        )
        return Fees(base=base, tip=tip)

    async def _tip(self) -> int:
        try:
            return await self.rpc.number("eth_maxPriorityFeePerGas")
        except RpcError:  # a node without the method: derive the tip from its gas price
            price, base = await asyncio.gather(
                self.rpc.number("eth_gasPrice"),
                self.rpc.parsed(_base_fee, "eth_getBlockByNumber", "latest", False),
            )
            return max(price - base, 0)

    def gas_limit(self, estimate: int) -> int:
        """The estimate plus the margin; ChainRejected when the estimate is above ``max_gas``."""
        cap = self.settings.max_gas
        if cap and estimate > cap:
            raise ChainRejected(
                f"the transaction needs {estimate} gas, above the limit of {cap} (max_gas)",
                code="chain.gas_limit",
            )
        limit = estimate + int(estimate * GAS_MARGIN)
        return min(limit, cap) if cap else limit

    async def send(
        self,
        signer: TxSigner,
        sender: str,
        build: Callable[[int], Eip1559Transaction],
    ) -> Sent:
        """Nonce, sign and send under the sender's lock; ``build(nonce)`` makes the transaction."""
        async with self.nonces.hold(sender):
            pending = await self.rpc.number("eth_getTransactionCount", sender, "pending")
            tx = build(self.nonces.next_nonce(sender, pending))
            raw = await sign_transaction(tx, lambda digest: _sign(signer, digest))
            try:
                tx_hash = await self.send_raw(raw)
            except BaseException:
                self.nonces.forget(sender)
                raise
            self.nonces.sent(sender, tx.nonce)
        return Sent(tx_hash, sender, tx)

    async def send_raw(self, raw: bytes) -> str:
        """``eth_sendRawTransaction``; an endpoint that already has the transaction is fine."""
        tx_hash = "0x" + transaction_hash(raw).hex()

        async def work(client: EvmRpc) -> str:
            try:
                await client.request("eth_sendRawTransaction", "0x" + raw.hex())
            except RpcError as exc:
                if not _already_accepted(exc, tx_hash):
                    raise
            return tx_hash

        return await self.rpc.pool.run("eth_sendRawTransaction", work)

    async def receipt(self, tx_hash: str, timeout_s: float | None) -> dict[str, Any]:
        """Poll for the receipt until the deadline; ChainTimeout after it (it may still land)."""
        wait = timeout_s if timeout_s is not None else self.settings.receipt_timeout_s
        deadline = self.clock.monotonic() + wait
        delay = POLL_FIRST_S
        while True:
            try:
                found = await self.rpc.parsed(parse_receipt, "eth_getTransactionReceipt", tx_hash)
            except ChainUnavailable:
                found = None  # endpoints down for now: keep polling until the deadline
            if isinstance(found, dict):
                return found
            remaining = deadline - self.clock.monotonic()
            if remaining <= 0:
                raise ChainTimeout(
                    f"neo-x: transaction {tx_hash} not in a block after {wait:g} s",
                    extra={"tx_hash": tx_hash},
                )
            await asyncio.sleep(min(delay, remaining))
            delay = min(delay * 1.5, POLL_MAX_S)


def _base_fee(block: Any) -> int:
    if not isinstance(block, dict) or "baseFeePerGas" not in block:
        raise EndpointFailure("latest block without baseFeePerGas")
    return quantity(block["baseFeePerGas"])


def parse_receipt(found: Any) -> dict[str, Any] | None:
    """A receipt whose fields we read are well-formed, or None while the transaction is
    pending (a malformed one is the endpoint's fault: the next endpoint is asked)."""
    if found is None:
        return None
    if not isinstance(found, dict) or not isinstance(found.get("logs"), list):
        raise EndpointFailure("malformed receipt in the node's answer")
    for key in ("status", "gasUsed", "blockNumber"):
        quantity(found.get(key))
    if "effectiveGasPrice" in found:
        quantity(found["effectiveGasPrice"])
    if not isinstance(found.get("blockHash"), str):
        raise EndpointFailure("malformed receipt in the node's answer")
    created = found.get("contractAddress")
    if created is not None and not _is_address(created):
        raise EndpointFailure("malformed contract address in the node's receipt")
    for log in found["logs"]:
        if not isinstance(log, dict):
            raise EndpointFailure("malformed log in the node's receipt")
        to_event(log, EventIndex(None))  # raises EndpointFailure when malformed
    return found


def _is_address(value: Any) -> bool:
    try:
        parse_address(value)
    except ValidationFailed:
        return False
    return True


async def _sign(signer: TxSigner, digest: bytes) -> bytes:
    signature = await signer.sign(digest, SignAlgorithm.ECDSA_RECOVERABLE)
    try:
        recovered = coincurve.PublicKey.from_signature_and_message(signature, digest, hasher=None)
    except (ValueError, TypeError):
        recovered = None
    if recovered is None or recovered.format() != coincurve.PublicKey(signer.public_key).format():
        raise NslError("the signer's signature does not recover to its public key")
    return signature


def _already_accepted(exc: RpcError, tx_hash: str) -> bool:
    """The node has it: already in its pool, or (Hardhat automine) mined though it reverted."""
    message = exc.body.message.lower()
    if any(text in message for text in _ACCEPTED):
        return True
    data = exc.body.data
    return isinstance(data, dict) and str(data.get("txHash", "")).lower() == tx_hash
