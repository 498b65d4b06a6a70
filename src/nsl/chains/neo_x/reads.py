"""Neo X reads that run contract code or scan logs: ``call``, ``estimate`` and ``events``.

A revert is an answer, not an error: ``call`` and ``estimate`` return state FAULT with the
revert reason. ``eth_call`` reports no gas, so a Neo X CallResult has ``gas_consumed`` 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eth_abi.exceptions import DecodingError

from nsl.chains.endpoints import EndpointFailure
from nsl.chains.neo_x.abi import validate_abi
from nsl.chains.neo_x.abi_values import decode_values
from nsl.chains.neo_x.logs import EventIndex, to_event
from nsl.chains.neo_x.reverts import revert_reason
from nsl.chains.neo_x.rpc import RpcError, hex_bytes
from nsl.core.chain import CallResult, ChainEvent, ContractCall, Estimate
from nsl.core.errors import ValidationFailed

if TYPE_CHECKING:
    from nsl.chains.neo_x.adapter import NeoXChain

MAX_LOG_RANGE = 10_000  # blocks per eth_getLogs request (public endpoints cap it)


def revert_text(exc: RpcError, abi: list[dict[str, Any]] | None) -> str:
    """The reason of a revert error: decoded payload, else the node's message."""
    return revert_reason(exc.revert_data, abi) or exc.body.message


class Reads:
    def __init__(self, chain: NeoXChain) -> None:
        self.chain = chain

    async def call(self, call: ContractCall) -> CallResult:
        contract, abi, fn, data = self.chain.prepare_call(call)
        request = {"to": contract, "data": "0x" + data.hex()}
        try:
            returned = await self.chain.rpc.parsed(hex_bytes, "eth_call", request, "latest")
        except RpcError as exc:
            if not exc.is_revert:
                raise
            return CallResult("FAULT", [], 0, exception=revert_text(exc, abi))
        try:
            return CallResult("HALT", decode_values(fn.output_types, returned), 0)
        except (DecodingError, UnicodeDecodeError, OverflowError):
            reason = (
                f"the answer ({len(returned)} bytes) does not decode as {fn.name}'s outputs "
                f"({', '.join(fn.output_types)}): is this the contract's ABI?"
            )
            return CallResult("FAULT", [], 0, exception=reason)

    async def estimate(self, call: ContractCall, sender: str) -> Estimate:
        contract, abi, _fn, data = self.chain.prepare_call(call)
        request = {"from": sender, "to": contract, "data": "0x" + data.hex()}
        try:
            gas = await self.chain.rpc.number("eth_estimateGas", request, "latest")
        except RpcError as exc:
            if not exc.is_revert:
                raise
            return Estimate("FAULT", 0, 0, exception=revert_text(exc, abi))
        transactor = self.chain.transactor
        fees = await transactor.fees()
        cap = self.chain.settings.max_gas
        details = {
            "base_fee_per_gas": fees.base,
            "max_priority_fee_per_gas": fees.tip,
            "max_fee_per_gas": fees.max_fee,
        }
        if cap and gas > cap:
            return Estimate(
                "FAULT", gas, 0, details, exception=f"needs {gas} gas, above max_gas {cap}"
            )
        limit = transactor.gas_limit(gas)
        return Estimate("HALT", gas, limit * fees.max_fee, {**details, "gas_limit": limit})

    async def events(
        self,
        contract: str | None,
        from_block: int,
        to_block: int,
        *,
        names: list[str] | None = None,
        abi: list[dict[str, Any]] | None = None,
    ) -> list[ChainEvent]:
        """Logs in ``[from_block, to_block]``, of ``contract`` (any when None), optionally only
        the ABI events ``names``; in chain order."""
        _check_range(from_block, to_block)
        index = EventIndex(validate_abi(abi, "abi") if abi is not None else None)
        query: dict[str, Any] = {"fromBlock": hex(from_block), "toBlock": hex(to_block)}
        if contract is not None:
            query["address"] = self.chain.validate_address(contract, "contract")
        if names is not None:
            if abi is None:
                raise ValidationFailed.on("abi", "required", "filtering by names needs the ABI")
            if not isinstance(names, list) or not names:
                raise ValidationFailed.on("names", "array", "must be a non-empty list")
            query["topics"] = [index.topics_for(names)]

        def parse(found: Any) -> list[ChainEvent]:
            if not isinstance(found, list) or not all(isinstance(log, dict) for log in found):
                raise EndpointFailure("malformed eth_getLogs answer")
            return [to_event(log, index) for log in found if not log.get("removed")]

        found = await self.chain.rpc.parsed(parse, "eth_getLogs", query)
        return sorted(found, key=lambda e: (e.block_number, e.index))


def _check_range(from_block: int, to_block: int) -> None:
    for name, value in (("from_block", from_block), ("to_block", to_block)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationFailed.on(name, "block_number", "must be a block number (>= 0)")
    if to_block < from_block:
        raise ValidationFailed.on("to_block", "range", "must not be below from_block")
    if to_block - from_block >= MAX_LOG_RANGE:
        raise ValidationFailed.on(
            "to_block", "max_range", f"a range spans at most {MAX_LOG_RANGE} blocks"
        )
