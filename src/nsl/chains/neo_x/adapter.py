"""Neo X as a :class:`~nsl.core.chain.Chain`: JSON-RPC (web3.py) behind an endpoint pool.

Reads are ``eth_call``/``eth_getLogs``/…; writes are EIP-1559 transactions signed by a
:class:`~nsl.core.chain.TxSigner` (``transactions.py``); values are decoded with the ABI.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from nsl.chains.endpoints import TRANSPORT_ERRORS, EndpointFailure, EndpointPool, endpoint_name
from nsl.chains.neo_x import networks, outcomes
from nsl.chains.neo_x.abi import Abi, function, validate_abi
from nsl.chains.neo_x.abi_values import encode_args
from nsl.chains.neo_x.accounts import (
    checksum_address,
    evm_address,
    parse_address,
    uncompressed_key,
)
from nsl.chains.neo_x.hashing import keccak256
from nsl.chains.neo_x.reads import Reads
from nsl.chains.neo_x.rpc import EvmRpc, PooledRpc, hex_bytes, quantity
from nsl.chains.neo_x.transactions import Transactor
from nsl.chains.neo_x.writes import Writes
from nsl.core.chain import (
    NEO_X,
    BlockRef,
    CallResult,
    ChainEvent,
    ChainStatus,
    ChainUnavailable,
    ContractCall,
    Deployment,
    EndpointStatus,
    Estimate,
    TxOutcome,
    TxSigner,
    Validity,
)
from nsl.core.clock import Clock
from nsl.core.errors import NotFound, SettingsError, ValidationFailed
from nsl.core.health import Check
from nsl.core.metrics import Metrics
from nsl.core.settings import ChainSettings

log = logging.getLogger(__name__)


def _clients(urls: list[str], timeout_s: float) -> list[tuple[str, EvmRpc]]:
    clients, seen = [], set()
    for url in urls:
        name = base = endpoint_name(url)
        n = 1
        while name in seen:  # two URLs on one host (different paths or keys) stay apart
            n += 1
            name = f"{base}#{n}"
        seen.add(name)
        clients.append((name, EvmRpc(url, name, timeout_s)))
    return clients


class NeoXChain:
    """Neo X through its endpoint pool. Construction does no I/O."""

    name = NEO_X

    def __init__(
        self,
        settings: ChainSettings,
        endpoints: list[str] | None,
        metrics: Metrics,
        clock: Clock,
    ) -> None:
        """``endpoints`` (URLs, may hold API keys) override ``settings.endpoints``; with
        neither, testnet and mainnet use the public defaults."""
        self.settings = settings
        self.network: str = settings.network
        self.metrics = metrics
        self.expected_chain_id = networks.expected_chain_id(settings)
        self._verified_chain_id: int | None = None
        urls = endpoints or networks.endpoints(settings)
        self.pool = EndpointPool(
            NEO_X, _clients(urls, settings.timeout_s), settings, metrics, clock
        )
        self.rpc = PooledRpc(self.pool)
        self.transactor = Transactor(self.rpc, settings, clock)
        self.reads = Reads(self)
        self.writes = Writes(self)

    def __repr__(self) -> str:
        return f"NeoXChain(network={self.network}, endpoints={len(self.pool.clients)})"

    # --- lifecycle and status ------------------------------------------------------------

    async def start(self) -> None:
        """Check that every endpoint that answers serves the expected chain (SettingsError if
        one does not); unreachable endpoints are checked on first use instead."""
        for client in self.pool.clients:
            try:
                async with asyncio.timeout(self.settings.timeout_s):
                    got = quantity(await client.request("eth_chainId"))
            except TRANSPORT_ERRORS as exc:
                reason = type(exc).__name__
                log.warning("neo-x: %s not reachable at start (%s)", client.name, reason)
                continue
            self._verify(got, client.name)

    def _verify(self, got: int, where: str) -> int:
        expected = self.expected_chain_id or self._verified_chain_id
        if expected is not None and got != expected:
            raise SettingsError(
                f"neo-x: {where} reports chain id {got}, the settings expect {expected}"
            )
        self._verified_chain_id = got
        return got

    async def close(self) -> None:
        for client in self.pool.clients:
            await client.close()

    async def chain_id(self) -> int:
        """The node's chain id, verified against the settings once (SettingsError if another)."""
        if self._verified_chain_id is not None:
            return self._verified_chain_id
        return self._verify(await self.rpc.number("eth_chainId"), "the node")

    async def status(self) -> ChainStatus:
        got = await self.rpc.number("eth_chainId")
        if self.expected_chain_id is not None and got != self.expected_chain_id:
            raise ChainUnavailable(
                f"neo-x: the node reports chain id {got}, expected {self.expected_chain_id}"
            )
        return ChainStatus(NEO_X, self.network, got, await self.height(), self.pool.statuses())

    def check(self) -> Check:
        return self.pool.check()

    def endpoint_statuses(self) -> list[EndpointStatus]:
        return self.pool.statuses()

    # --- addresses -----------------------------------------------------------------------

    def address_of(self, public_key: bytes) -> str:
        return evm_address(public_key)

    def validate_address(self, value: str, field_name: str) -> str:
        """The EIP-55 spelling; a mixed-case input must carry a valid checksum."""
        return checksum_address(parse_address(value, field_name))

    def sender_address(self, sender: bytes, field_name: str = "sender") -> str:
        """An address from 20 address bytes or a 33/65-byte secp256k1 public key."""
        if not isinstance(sender, bytes):
            raise ValidationFailed.on(field_name, "evm_sender", "must be address or key bytes")
        if len(sender) == 20:
            return checksum_address(sender)
        return evm_address(uncompressed_key(sender, field_name))

    # --- reads ---------------------------------------------------------------------------

    async def height(self) -> int:
        number = await self.rpc.number("eth_blockNumber")
        self.metrics.chain_height.labels(NEO_X).set(number)
        return number

    async def block(self, number: int) -> BlockRef:
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise ValidationFailed.on("number", "block_number", "must be a block number (>= 0)")
        found = await self.rpc.parsed(_block_ref, "eth_getBlockByNumber", hex(number), False)
        if found is None:
            raise NotFound(f"neo-x: no block {number}", code="chain.block_not_found")
        return found

    async def balance(self, address: str) -> int:
        return await self.rpc.number(
            "eth_getBalance", self.validate_address(address, "address"), "latest"
        )

    async def contract_info(self, contract: str) -> dict[str, Any]:
        address = self.validate_address(contract, "contract")
        code = await self.rpc.parsed(hex_bytes, "eth_getCode", address, "latest")
        if not code:
            raise NotFound(f"neo-x: no contract code at {address}", code="chain.contract_not_found")
        return {"address": address, "code_hash": "0x" + keccak256(code).hex(), "size": len(code)}

    async def call(self, call: ContractCall) -> CallResult:
        return await self.reads.call(call)

    async def estimate(self, call: ContractCall, sender: bytes) -> Estimate:
        return await self.reads.estimate(call, self.sender_address(sender))

    async def events(
        self,
        contract: str | None,
        from_block: int,
        to_block: int,
        *,
        names: list[str] | None = None,
        abi: list[dict[str, Any]] | None = None,
    ) -> list[ChainEvent]:
        return await self.reads.events(contract, from_block, to_block, names=names, abi=abi)

    # --- writes --------------------------------------------------------------------------

    async def invoke(
        self, call: ContractCall, signer: TxSigner, *, timeout_s: float | None = None
    ) -> TxOutcome:
        return await self.writes.invoke(call, signer, timeout_s=timeout_s)

    async def deploy(
        self, deployment: Deployment, signer: TxSigner, *, timeout_s: float | None = None
    ) -> TxOutcome:
        return await self.writes.deploy(deployment, signer, timeout_s=timeout_s)

    async def send_raw(self, raw: bytes, *, timeout_s: float | None = None) -> TxOutcome:
        return await self.writes.send_raw(raw, timeout_s=timeout_s)

    async def transaction(
        self, tx_hash: str, *, abi: list[dict[str, Any]] | None = None
    ) -> TxOutcome | None:
        return await outcomes.lookup(self, tx_hash, abi)

    async def expired(self, validity: Validity) -> bool:
        """The sender's mined transactions used the nonce: another one took its place."""
        if validity.sender is None or validity.nonce is None:
            return False
        sender = self.validate_address(validity.sender, "sender")
        return await self.rpc.number("eth_getTransactionCount", sender, "latest") > validity.nonce

    # --- shared by reads and writes ------------------------------------------------------

    def prepare_call(self, call: ContractCall) -> tuple[str, Abi, Any, bytes]:
        """(contract address, abi, function, calldata) for a ContractCall, validated."""
        contract = self.validate_address(call.contract, "contract")
        if call.abi is None:
            raise ValidationFailed.on("abi", "required", "a Neo X call needs the contract's ABI")
        abi = validate_abi(call.abi, "abi")
        if not isinstance(call.args, list):
            raise ValidationFailed.on("args", "array", "must be a JSON array")
        fn = function(abi, call.method, len(call.args))
        return contract, abi, fn, fn.selector + encode_args(fn.input_types, call.args)


def _block_ref(found: Any) -> BlockRef | None:
    if found is None:
        return None
    if not isinstance(found, dict):
        raise EndpointFailure("malformed block in the node's answer")
    return BlockRef(
        number=quantity(found.get("number")),
        hash=str(found.get("hash")),
        parent_hash=str(found.get("parentHash")),
        timestamp=quantity(found.get("timestamp")),
    )
