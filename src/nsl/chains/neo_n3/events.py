"""Reading contract events over a block range, with event shapes from contract manifests
(cached briefly: a contract update may change them)."""

from __future__ import annotations

import asyncio
from typing import Any

from nsl.chains.endpoints import EndpointFailure
from nsl.chains.neo_n3.notifications import (
    BlockNotifications,
    EventShapes,
    block_notifications,
    shapes_from_manifest,
    to_events,
)
from nsl.chains.neo_n3.receipts import not_found
from nsl.chains.neo_n3.rpc import NeoRpc, NeoRpcError
from nsl.chains.neo_n3.session import NeoSession
from nsl.core.chain import ChainEvent
from nsl.core.errors import ValidationFailed

MAX_BLOCKS = 2000
PARALLEL_BLOCKS = 8
SHAPES_TTL_S = 60.0


class EventReader:
    def __init__(self, session: NeoSession) -> None:
        self.session = session
        self._shapes: dict[str, tuple[float, EventShapes]] = {}

    async def contract_state(self, hash_hex: str) -> dict[str, Any] | None:
        async def fetch(client: NeoRpc) -> dict[str, Any] | None:
            try:
                answer = await client.request("getcontractstate", [hash_hex])
            except NeoRpcError as error:
                if not_found(error):
                    return None
                raise
            if not isinstance(answer, dict):
                raise EndpointFailure("malformed getcontractstate answer")
            return answer

        return await self.session.run("getcontractstate", fetch)

    async def shapes_of(self, contract: str) -> EventShapes:
        now = self.session.pool.clock.monotonic()
        cached = self._shapes.get(contract)
        if cached is not None and now - cached[0] < SHAPES_TTL_S:
            return cached[1]
        state = await self.contract_state(contract)
        shapes = shapes_from_manifest(state.get("manifest") or {}) if state else {}
        self._shapes[contract] = (now, shapes)
        return shapes

    async def events(
        self,
        contract: str | None,
        from_block: int,
        to_block: int,
        head: int,
        *,
        names: list[str] | None = None,
        abi: list[dict[str, Any]] | None = None,
    ) -> list[ChainEvent]:
        """Events of ``contract`` (or every contract) in blocks ``from_block..to_block``."""
        _check_range(from_block, to_block, head)
        given = shapes_from_manifest({"abi": {"events": abi}}) if abi and contract else None

        async def shapes_of(address: str) -> EventShapes:
            if given is not None and address == contract:
                return given
            return await self.shapes_of(address)

        gate = asyncio.Semaphore(PARALLEL_BLOCKS)

        async def one(number: int) -> list[ChainEvent]:
            async with gate:
                block = await self.session.run("getblocknotifications", lambda c: _block(c, number))
            return await to_events(block, shapes_of, contract=contract, names=names)

        batches = await asyncio.gather(*(one(n) for n in range(from_block, to_block + 1)))
        return [event for batch in batches for event in batch]


async def _block(client: NeoRpc, number: int) -> BlockNotifications:
    try:
        return await block_notifications(client, number)
    except NeoRpcError as error:
        if not_found(error):  # the head was read from another endpoint; this one lags
            raise EndpointFailure(f"endpoint does not have block {number} yet") from None
        raise


def _check_range(from_block: int, to_block: int, head: int) -> None:
    if from_block < 0:
        raise ValidationFailed.on("from_block", "min", "must be >= 0")
    if to_block < from_block:
        raise ValidationFailed.on("to_block", "range", "must be >= from_block")
    if to_block > head:
        raise ValidationFailed.on("to_block", "max", f"is past the chain head ({head})")
    if to_block - from_block + 1 > MAX_BLOCKS:
        raise ValidationFailed.on("to_block", "range", f"at most {MAX_BLOCKS} blocks per query")
