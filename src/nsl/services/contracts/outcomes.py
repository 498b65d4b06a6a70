"""What became of a transaction we asked a chain to send, and whether it earns a record.

The rule ("nothing recorded as sent" unless a node took it):

* included in a block: recorded with its block, fee and VM state; HALT is ``succeeded``,
  FAULT is ``failed`` with the VM's message;
* faulted in the node's test execution (Neo N3 ``chain.fault``, Neo X ``chain.reverted`` in
  gas estimation): nothing was sent (its fee would be lost), recorded ``failed`` with the
  VM's message (or revert reason) and no transaction hash;
* accepted by a node but not seen in a block in time (``chain.timeout`` naming the hash):
  recorded ``unconfirmed`` with the hash and its validity, and the 504 is still raised; the
  ``settle-unconfirmed`` task later records it as included, or ``failed`` once it expired;
* refused by the node, chain unavailable, or invalid input: no record (the audit entry keeps
  the error code).
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from nsl.core.chain import ChainRejected, ChainTimeout, TxOutcome, Validity
from nsl.core.errors import NslError

SUCCEEDED, FAILED, UNCONFIRMED = "succeeded", "failed", "unconfirmed"
FAULT_CODES = frozenset({"chain.fault", "chain.reverted"})  # Neo N3 test run, Neo X estimate
ERROR_MAX = 1000
EXPIRED = "expired: never included"


@dataclass(frozen=True)
class Landing:
    tx_hash: str | None
    status: str
    state: str | None = None
    block_number: int | None = None
    block_hash: str | None = None
    gas_consumed: int | None = None
    fee: int | None = None
    error: str | None = None
    address: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    validity: dict[str, Any] | None = None  # unconfirmed: what tells whether it expired


def _message(text: str | None) -> str | None:
    return None if text is None else text[:ERROR_MAX]


def included(outcome: TxOutcome) -> Landing:
    failed = outcome.state != "HALT"
    return Landing(
        tx_hash=outcome.tx_hash,
        status=FAILED if failed else SUCCEEDED,
        state=outcome.state,
        block_number=outcome.block_number,
        block_hash=outcome.block_hash,
        gas_consumed=outcome.gas_consumed,
        fee=outcome.fee,
        error=_message(outcome.exception or ("the VM faulted" if failed else None)),
        address=outcome.contract,
        events=[e.to_json() for e in outcome.events],
    )


def expired(tx_hash: str) -> Landing:
    """A sent transaction that can no longer be included: failed, with no block."""
    return Landing(tx_hash=tx_hash, status=FAILED, error=EXPIRED)


def _faulted(exc: ChainRejected) -> Landing:
    gas = exc.extra.get("gas_consumed")
    return Landing(
        tx_hash=None,
        status=FAILED,
        state="FAULT",
        gas_consumed=gas if isinstance(gas, int) else None,
        error=_message(str(exc.extra.get("exception") or exc.extra.get("reason") or exc.detail)),
    )


async def attempt(work: Awaitable[TxOutcome]) -> tuple[Landing, NslError | None]:
    """Run the send-and-wait; the landing to record (if any) and the error to raise (if any)."""
    try:
        outcome = await work
    except ChainTimeout as exc:
        tx_hash = exc.extra.get("tx_hash")
        if not isinstance(tx_hash, str):
            raise
        validity = Validity.from_json(exc.extra).to_json()
        landing = Landing(
            tx_hash=tx_hash, status=UNCONFIRMED, error=_message(exc.detail), validity=validity
        )
        return landing, exc
    except ChainRejected as exc:
        if exc.code not in FAULT_CODES:
            raise
        return _faulted(exc), None
    return included(outcome), None
