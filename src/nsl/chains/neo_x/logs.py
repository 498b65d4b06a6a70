"""EVM logs as :class:`ChainEvent`: decoded by the ABI's events, or kept raw when none fits.

A decoded event's ``args`` are by parameter name (``arg<i>`` when unnamed); an indexed
dynamic value (string, bytes, array, tuple) is only its Keccak-256 topic, given as hex. A log
no ABI event fits keeps ``name`` = its first topic (``"anonymous"`` without topics) and
``args`` = ``{"topics": [...], "data": "0x…"}``.
"""

from __future__ import annotations

from typing import Any

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError
from eth_abi.grammar import parse

from nsl.chains.endpoints import EndpointFailure
from nsl.chains.neo_x.abi import Abi, AbiItem, items
from nsl.chains.neo_x.abi_values import to_json
from nsl.chains.neo_x.accounts import to_checksum
from nsl.core.chain import NEO_X, ChainEvent
from nsl.core.errors import ValidationFailed


class EventIndex:
    """The non-anonymous events of an ABI by topic 0."""

    def __init__(self, abi: Abi | None) -> None:
        self.by_topic = {e.topic: e for e in items(abi or [], "event") if not e.anonymous}

    def topics_for(self, names: list[str]) -> list[str]:
        """Topic-0 filter values for event ``names``; ValidationFailed on a name not in the ABI."""
        by_name: dict[str, list[bytes]] = {}
        for topic, event in self.by_topic.items():
            by_name.setdefault(event.name, []).append(topic)
        topics: list[str] = []
        for i, name in enumerate(names):
            if name not in by_name:
                raise ValidationFailed.on(f"names[{i}]", "abi_event", f"no event {name!r} in abi")
            topics.extend("0x" + t.hex() for t in by_name[name])
        return topics


def _hex(value: Any) -> bytes:
    if not isinstance(value, str) or value[:2] != "0x":
        raise EndpointFailure("malformed log in the node's answer")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise EndpointFailure("malformed log in the node's answer") from None


def _decode(event: AbiItem, topics: list[bytes], data: bytes) -> dict[str, Any]:
    indexed = [p for p in event.inputs if p.get("indexed")]
    if len(topics) != 1 + len(indexed):
        raise DecodingError("topic count does not fit the event")
    pairs = zip(event.inputs, event.input_types, strict=True)
    plain_types = [t for p, t in pairs if not p.get("indexed")]
    plain = iter(decode(plain_types, data))
    topic_values = iter(topics[1:])
    args: dict[str, Any] = {}
    for i, (param, type_str) in enumerate(zip(event.inputs, event.input_types, strict=True)):
        kind = parse(type_str)
        name = param.get("name") or f"arg{i}"
        if not param.get("indexed"):
            args[name] = to_json(kind, next(plain))
        elif kind.is_dynamic:
            args[name] = "0x" + next(topic_values).hex()
        else:
            args[name] = to_json(kind, decode([type_str], next(topic_values))[0])
    return args


def to_event(log: dict[str, Any], index: EventIndex) -> ChainEvent:
    """One ``eth_getLogs`` / receipt log as a ChainEvent."""
    try:
        topics = [_hex(t) for t in log.get("topics", [])]
        data = _hex(log.get("data", "0x"))
        block_number = int(log["blockNumber"], 16)
        position = int(log["logIndex"], 16)
        contract = to_checksum(log["address"])
        tx_hash, block_hash = str(log["transactionHash"]), str(log["blockHash"])
    except (KeyError, TypeError, ValueError, ValidationFailed):
        raise EndpointFailure("malformed log in the node's answer") from None
    event = index.by_topic.get(topics[0]) if topics else None
    name, args = "", {}
    if event is not None:
        try:
            name, args = event.name, _decode(event, topics, data)
        except (DecodingError, UnicodeDecodeError, OverflowError):
            event = None
    if event is None:
        name = "0x" + topics[0].hex() if topics else "anonymous"
        args = {"topics": ["0x" + t.hex() for t in topics], "data": "0x" + data.hex()}
    return ChainEvent(
        chain=NEO_X,
        contract=contract,
        name=name,
        args=args,
        tx_hash=tx_hash,
        block_number=block_number,
        block_hash=block_hash,
        index=position,
    )
