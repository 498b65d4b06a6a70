"""A Neo X transaction's outcome from its receipt, for ``invoke`` and for a lookup by hash: the
fee, the logs decoded with the ABI, and a failure's reason from replaying the transaction with
``eth_call`` on the state of its block."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nsl.chains.endpoints import EndpointFailure
from nsl.chains.neo_x.abi import Abi, validate_abi
from nsl.chains.neo_x.accounts import checksum_address, parse_address
from nsl.chains.neo_x.logs import EventIndex, to_event
from nsl.chains.neo_x.reads import revert_text
from nsl.chains.neo_x.rpc import EvmRpc, RpcError, hex_bytes, quantity
from nsl.chains.neo_x.transactions import Sent, parse_receipt
from nsl.core.chain import TxOutcome
from nsl.core.errors import ValidationFailed

if TYPE_CHECKING:
    from nsl.chains.neo_x.adapter import NeoXChain

_HASH = re.compile(r"0x[0-9a-f]{64}")


@dataclass(frozen=True)
class TxFacts:
    """What an outcome needs of the transaction itself (to replay it, to price its gas)."""

    tx_hash: str
    sender: str
    to: bytes | None
    data: bytes
    gas: int
    value: int
    max_fee_per_gas: int

    @classmethod
    def of(cls, sent: Sent) -> TxFacts:
        tx = sent.tx
        return cls(sent.tx_hash, sent.sender, tx.to, tx.data, tx.gas, tx.value, tx.max_fee_per_gas)

    @classmethod
    def from_json(cls, tx_hash: str, found: Any) -> TxFacts:
        """From ``eth_getTransactionByHash`` (any transaction type); malformed: the endpoint's
        fault."""
        if not isinstance(found, dict):
            raise EndpointFailure("a receipt without its transaction in the node's answer")
        try:
            to = found.get("to")
            return cls(
                tx_hash=tx_hash,
                sender=checksum_address(parse_address(found.get("from"))),
                to=None if to is None else parse_address(to),
                data=hex_bytes(found.get("input")),
                gas=quantity(found.get("gas")),
                value=quantity(found.get("value")),
                max_fee_per_gas=quantity(found.get("maxFeePerGas") or found.get("gasPrice")),
            )
        except ValidationFailed:
            raise EndpointFailure("malformed transaction in the node's answer") from None


def tx_hash_of(value: Any, field_name: str = "tx_hash") -> str:
    """``0x`` + 64 hex digits, returned lower-case."""
    text = value.lower() if isinstance(value, str) else ""
    if not _HASH.fullmatch(text):
        raise ValidationFailed.on(field_name, "tx_hash", "must be 0x followed by 64 hex digits")
    return text


async def outcome(
    chain: NeoXChain, tx: TxFacts, receipt: dict[str, Any], abi: Abi | None
) -> TxOutcome:
    """The outcome a (well-formed, see ``parse_receipt``) receipt describes."""
    gas_used = quantity(receipt["gasUsed"])
    price = quantity(receipt.get("effectiveGasPrice", hex(tx.max_fee_per_gas)))
    block_number = quantity(receipt["blockNumber"])
    created = receipt.get("contractAddress")
    ok = quantity(receipt["status"]) == 1
    index = EventIndex(abi)
    return TxOutcome(
        tx_hash=tx.tx_hash,
        block_number=block_number,
        block_hash=str(receipt["blockHash"]),
        state="HALT" if ok else "FAULT",
        gas_consumed=gas_used,
        fee=gas_used * price,
        exception=None if ok else await _reason(chain, tx, block_number, gas_used, abi),
        events=[to_event(log, index) for log in receipt["logs"]],
        contract=chain.validate_address(created, "contractAddress") if ok and created else None,
    )


async def lookup(chain: NeoXChain, tx_hash: str, abi: Abi | None) -> TxOutcome | None:
    """The outcome of ``tx_hash``; None while it is pending or unknown to the node. The receipt
    and the transaction come from one endpoint."""
    wanted = tx_hash_of(tx_hash)
    checked = validate_abi(abi, "abi") if abi is not None else None

    async def work(client: EvmRpc) -> tuple[dict[str, Any], TxFacts] | None:
        receipt = parse_receipt(await client.request("eth_getTransactionReceipt", wanted))
        if receipt is None:
            return None
        found = await client.request("eth_getTransactionByHash", wanted)
        return receipt, TxFacts.from_json(wanted, found)

    found = await chain.pool.run("eth_getTransactionReceipt", work)
    if found is None:
        return None
    return await outcome(chain, found[1], found[0], checked)


async def _reason(
    chain: NeoXChain, tx: TxFacts, block_number: int, gas_used: int, abi: Abi | None
) -> str:
    """Why a mined transaction failed: its replay's revert reason, else out of gas."""
    request: dict[str, Any] = {
        "from": tx.sender,
        "data": "0x" + tx.data.hex(),
        "gas": hex(tx.gas),
        "value": hex(tx.value),
    }
    if tx.to is not None:
        request["to"] = "0x" + tx.to.hex()
    try:
        await chain.rpc("eth_call", request, hex(block_number))
    except RpcError as exc:
        if exc.is_revert:
            return revert_text(exc, abi)
    if gas_used >= tx.gas:
        return f"out of gas (used all {tx.gas})"
    return "reverted (the replay did not reproduce a reason)"
