"""Every notification of one block, in execution order (OnPersist, each transaction, PostPersist),
and their conversion to :class:`ChainEvent` with args named from the contract's manifest.

neo-go answers ``getblocknotifications`` in one call; other nodes (no such method) are read
through the block and its application logs. Only executions that HALTed count.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from nsl.chains.endpoints import EndpointFailure
from nsl.chains.neo_n3.rpc import METHOD_NOT_FOUND, NeoRpc, NeoRpcError
from nsl.chains.neo_n3.stack import plain_value
from nsl.core.chain import NEO_N3, ChainEvent

#: event name → [(argument name, declared type)]
EventShapes = dict[str, list[tuple[str, str]]]
ShapesOf = Callable[[str], Awaitable[EventShapes]]


@dataclass(frozen=True)
class Notification:
    container: str  # the transaction hash, or the block hash for OnPersist/PostPersist
    contract: str  # 0x big-endian hex
    name: str
    state: dict[str, Any]  # the raw stack item (an Array)


@dataclass(frozen=True)
class BlockNotifications:
    number: int
    hash: str
    items: list[Notification]


def _notification(raw: Any, container: str | None = None) -> Notification:
    try:
        return Notification(
            container=str(container or raw["container"]),
            contract=str(raw["contract"]).lower(),
            name=str(raw["eventname"]),
            state=dict(raw["state"]),
        )
    except (KeyError, TypeError, ValueError):
        raise EndpointFailure("malformed notification") from None


async def _neo_go(client: NeoRpc, block_hash: str) -> list[Notification] | None:
    if client.features.get("getblocknotifications") is False:
        return None
    try:
        answer = await client.request("getblocknotifications", [block_hash])
    except NeoRpcError as error:
        if error.rpc_code == METHOD_NOT_FOUND:
            client.features["getblocknotifications"] = False
            return None
        raise
    client.features["getblocknotifications"] = True
    ordered = [*(answer.get("onpersist") or []), *(answer.get("application") or [])]
    ordered += answer.get("postpersist") or []
    return [_notification(raw) for raw in ordered]


def _halted(executions: list[dict[str, Any]], trigger: str | None = None) -> list[dict[str, Any]]:
    return [
        e
        for e in executions
        if e.get("vmstate") == "HALT" and (trigger is None or e.get("trigger") == trigger)
    ]


async def _from_logs(client: NeoRpc, block_hash: str) -> list[Notification]:
    block = await client.request("getblock", [block_hash, 1])
    system = (await client.request("getapplicationlog", [block_hash])).get("executions") or []
    found: list[Notification] = []
    for execution in _halted(system, "OnPersist"):
        found += [_notification(n, block_hash) for n in execution.get("notifications") or []]
    for tx in block.get("tx") or []:
        log = await client.request("getapplicationlog", [tx["hash"]])
        for execution in _halted(log.get("executions") or [], "Application"):
            found += [_notification(n, tx["hash"]) for n in execution.get("notifications") or []]
    for execution in _halted(system, "PostPersist"):
        found += [_notification(n, block_hash) for n in execution.get("notifications") or []]
    return found


async def block_notifications(client: NeoRpc, number: int) -> BlockNotifications:
    block_hash = await client.request("getblockhash", [number])
    if not isinstance(block_hash, str):
        raise EndpointFailure("malformed getblockhash answer")
    try:
        items = await _neo_go(client, block_hash)
        if items is None:
            items = await _from_logs(client, block_hash)
    except (AttributeError, KeyError, TypeError):
        raise EndpointFailure("malformed block notifications") from None
    return BlockNotifications(number, block_hash, items)


def shapes_from_manifest(manifest: dict[str, Any]) -> EventShapes:
    events = (manifest.get("abi") or {}).get("events") or []
    shapes: EventShapes = {}
    for event in events:
        if isinstance(event, dict):
            parameters = event.get("parameters") or []
            shapes[str(event.get("name"))] = [
                (str(p.get("name")), str(p.get("type"))) for p in parameters
            ]
    return shapes


def _args(state: dict[str, Any], shape: list[tuple[str, str]] | None) -> dict[str, Any]:
    values = state.get("value") if state.get("type") in ("Array", "Struct") else [state]
    values = values or []
    if shape is not None and len(shape) == len(values):
        pairs = zip(shape, values, strict=True)
        return {name: plain_value(raw, kind) for (name, kind), raw in pairs}
    return {f"arg{i}": plain_value(raw) for i, raw in enumerate(values)}


async def to_events(
    block: BlockNotifications,
    shapes_of: ShapesOf,
    *,
    contract: str | None = None,
    names: list[str] | None = None,
    container: str | None = None,
) -> list[ChainEvent]:
    """The block's notifications that match, each with its position in the block as index."""
    wanted = set(names) if names else None
    events: list[ChainEvent] = []
    for index, item in enumerate(block.items):
        if contract is not None and item.contract != contract:
            continue
        if wanted is not None and item.name not in wanted:
            continue
        if container is not None and item.container != container:
            continue
        shape = (await shapes_of(item.contract)).get(item.name)
        events.append(
            ChainEvent(
                chain=NEO_N3,
                contract=item.contract,
                name=item.name,
                args=_args(item.state, shape),
                tx_hash=item.container,
                block_number=block.number,
                block_hash=block.hash,
                index=index,
            )
        )
    return events
