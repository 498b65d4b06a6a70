"""The chain contract: what services may ask of a blockchain (Neo N3 or Neo X).

Implementations live in ``nsl.chains`` (neo-mamba for Neo N3, web3 for Neo X), each behind a
pool of RPC endpoints with failover. This module holds only the protocol and its value types
so that ``core`` and services can depend on it. Transactions are signed by a
:class:`TxSigner` (the keys service, i.e. the enclave): a chain never holds a private key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from nsl.core.enclave import KeyType, SignAlgorithm
from nsl.core.errors import BadRequest, FieldIssue, NslError, Unavailable
from nsl.core.health import Check

NEO_N3 = "neo-n3"
NEO_X = "neo-x"
CHAINS: tuple[str, ...] = (NEO_N3, NEO_X)

VmState = Literal["HALT", "FAULT"]


class UnknownChain(BadRequest):
    code = "chain.unknown"


class ChainUnavailable(Unavailable):
    """Every endpoint of the chain failed or is open-circuited; nothing was sent."""

    code = "chain.unavailable"


class ChainRejected(NslError):
    """The node refused the request (bad transaction, insufficient funds, invalid script)."""

    status = 422
    code = "chain.rejected"
    title = "Rejected by the chain"


class ChainTimeout(NslError):
    """A transaction was sent but not seen in a block within the wait; it may still land."""

    status = 504
    code = "chain.timeout"
    title = "Transaction not confirmed in time"


def chain_name(value: str, field_name: str = "chain") -> str:
    """``value`` if it names a known chain, else a 400 naming the allowed values."""
    if value in CHAINS:
        return value
    allowed = ", ".join(CHAINS)
    message = f"unknown chain {value!r}; use one of {allowed}"
    raise UnknownChain(
        f"{field_name}: {message}", fields=[FieldIssue(field_name, "known_chain", message)]
    )


@dataclass(frozen=True)
class StackItem:
    """One result value. ``type`` is the VM's (Neo N3) or ABI's (Neo X) type name; ``value`` is
    JSON (integers as decimal strings, bytes as hex); ``text`` is bytes decoded as UTF-8 when
    they are printable text."""

    type: str
    value: Any
    text: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type, "value": self.value}
        if self.text is not None:
            data["text"] = self.text
        return data


@dataclass(frozen=True)
class CallResult:
    """A read-only execution (Neo N3 ``invokefunction``, Neo X ``eth_call``)."""

    state: VmState
    result: list[StackItem]
    gas_consumed: int
    exception: str | None = None


@dataclass(frozen=True)
class Estimate:
    """What a state-changing call would cost, in the chain's smallest fee unit.

    Neo N3: ``system_fee`` + ``network_fee`` in datoshi (1e-8 GAS). Neo X: ``gas`` units at
    ``gas_price`` wei (``max_fee_per_gas``); ``total_fee`` is the upper bound paid."""

    state: VmState
    gas_consumed: int
    total_fee: int
    details: dict[str, int] = field(default_factory=dict)
    exception: str | None = None


@dataclass(frozen=True)
class ChainEvent:
    """A contract event (N3 notification, EVM log) with where it happened. ``args`` are
    JSON-safe, named from the ABI/manifest: integers as decimal strings, bytes as hex.

    ``index`` orders events within a block: (block_number, index) is unique per chain, and
    ``event_id`` (chain:block_hash:index) is stable across re-reads of the same block."""

    chain: str
    contract: str
    name: str
    args: dict[str, Any]
    tx_hash: str
    block_number: int
    block_hash: str
    index: int

    @property
    def event_id(self) -> str:
        return f"{self.chain}:{self.block_hash}:{self.index}"

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "chain": self.chain,
            "contract": self.contract,
            "name": self.name,
            "args": self.args,
            "tx_hash": self.tx_hash,
            "block_number": self.block_number,
            "block_hash": self.block_hash,
            "index": self.index,
        }


@dataclass(frozen=True)
class TxOutcome:
    """A transaction seen in a block. ``state`` FAULT means it was included but failed."""

    tx_hash: str
    block_number: int
    block_hash: str
    state: VmState
    gas_consumed: int
    fee: int
    exception: str | None = None
    events: list[ChainEvent] = field(default_factory=list)
    contract: str | None = None  # the new contract's address (deploy only)
    result: list[StackItem] = field(default_factory=list)


@dataclass(frozen=True)
class Validity:
    """How long a sent transaction can still be included: Neo N3 until ``valid_until_block``;
    Neo X while ``sender``'s nonce has not moved past ``nonce`` (another transaction with that
    nonce voids it). A :class:`ChainTimeout` carries these in ``extra`` (same keys) so the
    caller can record them and later ask :meth:`Chain.expired`."""

    valid_until_block: int | None = None
    sender: str | None = None
    nonce: int | None = None

    def to_json(self) -> dict[str, Any]:
        values = {"valid_until_block": self.valid_until_block, "nonce": self.nonce}
        found: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
        if self.sender is not None:
            found["sender"] = self.sender
        return found

    @classmethod
    def from_json(cls, data: Any) -> Validity:
        """The fields of ``data`` (a dict such as ``ChainTimeout.extra``) that are well-formed."""
        if not isinstance(data, dict):
            return cls()

        def whole(key: str) -> int | None:
            value = data.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        sender = data.get("sender")
        return cls(
            whole("valid_until_block"), sender if isinstance(sender, str) else None, whole("nonce")
        )


@dataclass(frozen=True)
class BlockRef:
    number: int
    hash: str
    parent_hash: str
    timestamp: int  # unix seconds


@dataclass(frozen=True)
class EndpointStatus:
    """One RPC endpoint as the pool sees it. ``name`` never includes credentials."""

    name: str
    state: Literal["closed", "open", "half-open"]
    score: float
    latency_ms: float | None
    failures: int
    last_error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "circuit": self.state,
            "score": round(self.score, 3),
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 2),
            "consecutive_failures": self.failures,
            "last_error": self.last_error,
        }


@dataclass(frozen=True)
class ChainStatus:
    chain: str
    network: str
    network_id: int  # Neo N3 magic or EVM chain id
    height: int | None
    endpoints: list[EndpointStatus]


@dataclass(frozen=True)
class ContractCall:
    """A method call: ``args`` are JSON values. Neo N3 takes plain values or typed
    ``{"type": "Hash160", "value": "0x…"}`` parameters; Neo X matches them to ``abi``."""

    contract: str
    method: str
    args: list[Any] = field(default_factory=list)
    abi: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class Deployment:
    """What to deploy. Neo N3: ``nef`` bytes + ``manifest`` JSON (+ optional ``data`` arg for
    ``_deploy``). Neo X: init ``bytecode`` + ``abi`` (+ constructor ``args``)."""

    code: bytes
    manifest: dict[str, Any] | None = None
    abi: list[dict[str, Any]] | None = None
    args: list[Any] = field(default_factory=list)


class TxSigner(Protocol):
    """Signs for one account. Neo N3 asks ``ECDSA_SHA256`` over its signing data; Neo X asks
    ``ECDSA_RECOVERABLE`` over the 32-byte transaction hash."""

    @property
    def key_type(self) -> KeyType: ...

    @property
    def public_key(self) -> bytes: ...  # compressed SEC1, 33 bytes

    async def sign(self, message: bytes, algorithm: SignAlgorithm) -> bytes: ...


class Chain(Protocol):
    """One blockchain reached through its endpoint pool. Construction does no I/O."""

    name: str  # NEO_N3 | NEO_X
    network: str  # mainnet | testnet | local

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def status(self) -> ChainStatus: ...

    def check(self) -> Check: ...

    def endpoint_statuses(self) -> list[EndpointStatus]: ...

    def address_of(self, public_key: bytes) -> str: ...

    def validate_address(self, value: str, field_name: str) -> str: ...

    async def height(self) -> int: ...

    async def block(self, number: int) -> BlockRef: ...

    async def balance(self, address: str) -> int: ...

    async def call(self, call: ContractCall) -> CallResult: ...

    async def estimate(self, call: ContractCall, sender: bytes) -> Estimate: ...

    async def invoke(
        self, call: ContractCall, signer: TxSigner, *, timeout_s: float | None = None
    ) -> TxOutcome: ...

    async def deploy(
        self, deployment: Deployment, signer: TxSigner, *, timeout_s: float | None = None
    ) -> TxOutcome: ...

    async def send_raw(self, raw: bytes, *, timeout_s: float | None = None) -> TxOutcome: ...

    async def transaction(
        self, tx_hash: str, *, abi: list[dict[str, Any]] | None = None
    ) -> TxOutcome | None:
        """The outcome of a transaction in a block, as ``invoke`` reports it; None while the
        node does not know it or it is not in a block yet. ``abi`` names Neo X events (Neo N3
        names them from the contracts' manifests and ignores it)."""
        ...

    async def expired(self, validity: Validity) -> bool:
        """True once a transaction with this validity can no longer be included (Neo N3: the
        chain is past its valid-until block; Neo X: the sender's nonce moved past it). False
        when it still may be, or when ``validity`` lacks what this chain needs to tell."""
        ...

    async def contract_info(self, contract: str) -> dict[str, Any]: ...

    async def events(
        self,
        contract: str | None,
        from_block: int,
        to_block: int,
        *,
        names: list[str] | None = None,
        abi: list[dict[str, Any]] | None = None,
    ) -> list[ChainEvent]: ...


class Chains(Protocol):
    """Every configured chain of this process."""

    def get(self, name: str) -> Chain: ...

    def all(self) -> list[Chain]: ...


class NoChains:
    """The chains of a process that configured none: every lookup says so."""

    def get(self, name: str) -> Chain:
        chain_name(name)
        raise ChainUnavailable(f"{name}: no chain is configured in this process")

    def all(self) -> list[Chain]:
        return []
