"""A Neo N3 transaction looked up by hash: its outcome once it is in a block, as ``invoke``
reports it (fee = system + network fee; a deployment's contract from its ``Deploy`` event)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from neo3.contracts.contract import CONTRACT_HASHES

from nsl.chains.endpoints import EndpointFailure
from nsl.chains.neo_n3.notifications import BlockNotifications
from nsl.chains.neo_n3.receipts import application_log, not_found
from nsl.chains.neo_n3.rpc import NeoRpc, NeoRpcError, as_int, field
from nsl.chains.neo_n3.submit import Submitter, block_of
from nsl.core.chain import ChainEvent, TxOutcome
from nsl.core.errors import ValidationFailed

MANAGEMENT = "0x" + str(CONTRACT_HASHES.MANAGEMENT)
_HASH = re.compile(r"0x[0-9a-f]{64}")

Found = tuple[dict[str, Any], int, BlockNotifications]


def tx_hash_of(value: Any, field_name: str = "tx_hash") -> str:
    """A transaction id as Neo tools show it: ``0x`` + 64 hex digits (returned lower-case)."""
    text = value.lower() if isinstance(value, str) else ""
    if not _HASH.fullmatch(text):
        raise ValidationFailed.on(field_name, "tx_hash", "must be 0x followed by 64 hex digits")
    return text


async def transaction(submitter: Submitter, tx_hash: str) -> TxOutcome | None:
    """The outcome of ``tx_hash``; None while no block holds it (or the node never saw it)."""
    wanted = tx_hash_of(tx_hash)

    async def work(client: NeoRpc) -> Found | None:
        log = await application_log(client, wanted)
        if log is None:
            return None
        fee = await _fee(client, wanted)
        return log, fee, await block_of(client, wanted)

    found = await submitter.session.run("gettransaction", work)
    if found is None:
        return None
    log, fee, block = found
    outcome = await submitter.outcome(wanted, log, block, fee, None)
    created = _deployed(outcome.events)
    return replace(outcome, contract=created) if created else outcome


async def _fee(client: NeoRpc, tx_hash: str) -> int:
    try:
        raw = await client.request("getrawtransaction", [tx_hash, True])
    except NeoRpcError as error:
        if not_found(error):
            raise EndpointFailure("endpoint has the log but not the transaction") from None
        raise
    return as_int(field(raw, "sysfee"), "sysfee") + as_int(field(raw, "netfee"), "netfee")


def _deployed(events: list[ChainEvent]) -> str | None:
    """The contract a transaction deployed: ContractManagement's one ``Deploy`` event."""
    hashes = [e.args.get("Hash") for e in events if e.contract == MANAGEMENT and e.name == "Deploy"]
    return hashes[0] if len(hashes) == 1 and isinstance(hashes[0], str) else None
