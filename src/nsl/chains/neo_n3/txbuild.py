"""Neo N3 transactions from one sender, priced by the node and signed outside this process.

System fee = the node's test execution gas; network fee = ``calculatenetworkfee`` over the
transaction carrying the sender's real verification script and a zero signature of the real size
(same size as the real one), so multisig senders price correctly too. The signature covers
``magic (LE) ‖ SHA-256(unsigned tx)``.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from nsl.chains.endpoints import EndpointFailure
from nsl.chains.neo_n3.accounts import hash160, script_hash_to_hex
from nsl.chains.neo_n3.rpc import NeoRpc, as_int, field
from nsl.chains.neo_n3.witness import Witness, invocation_script, signed_transaction, signing_data
from nsl.core.chain import ChainRejected

CALLED_BY_ENTRY = 0x01
SIZING_SIGNATURE = bytes(64)  # only priced by the node (its size), never sent

#: signs ``signing data`` and returns the 64-byte r ‖ s
SignFunction = Callable[[bytes], Awaitable[bytes]]


def _var_int(value: int) -> bytes:
    if value < 0xFD:
        return bytes([value])
    if value <= 0xFFFF:
        return b"\xfd" + value.to_bytes(2, "little")
    return b"\xfe" + value.to_bytes(4, "little")


def signer_json(account_hash: bytes) -> dict[str, str]:
    return {"account": script_hash_to_hex(account_hash), "scopes": "CalledByEntry"}


@dataclass(frozen=True)
class Draft:
    """An unsigned transaction with one CalledByEntry signer, no attributes."""

    script: bytes
    sender: bytes  # little-endian script hash
    verification: bytes  # the sender's verification script
    nonce: int
    system_fee: int
    network_fee: int
    valid_until_block: int

    def unsigned(self) -> bytes:
        return (
            b"\x00"
            + self.nonce.to_bytes(4, "little")
            + self.system_fee.to_bytes(8, "little")
            + self.network_fee.to_bytes(8, "little")
            + self.valid_until_block.to_bytes(4, "little")
            + b"\x01"
            + self.sender
            + bytes([CALLED_BY_ENTRY])
            + b"\x00"
            + _var_int(len(self.script))
            + self.script
        )

    def with_witness(self, signature: bytes) -> bytes:
        return signed_transaction(
            self.unsigned(), [Witness(invocation_script(signature), self.verification)]
        )

    @property
    def fee(self) -> int:
        return self.system_fee + self.network_fee


@dataclass(frozen=True)
class DryRun:
    """The node's test execution of a script."""

    state: str
    gas_consumed: int
    exception: str | None
    stack: list[dict[str, Any]]
    notifications: list[dict[str, Any]]


async def dry_run(client: NeoRpc, script: bytes, sender: bytes | None) -> DryRun:
    signers = [signer_json(sender)] if sender is not None else []
    answer = await client.request("invokescript", [base64.b64encode(script).decode(), signers])
    try:
        return DryRun(
            state=str(answer["state"]),
            gas_consumed=int(answer["gasconsumed"]),
            exception=answer.get("exception") or None,
            stack=list(answer.get("stack") or []),
            notifications=list(answer.get("notifications") or []),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise EndpointFailure(f"malformed invokescript answer: {exc}") from None


def fault_error(run: DryRun) -> ChainRejected:
    """A state-changing call whose test execution faults is not sent (its fee would be lost)."""
    return ChainRejected(
        f"the call faults in a test execution, nothing was sent: {run.exception}",
        code="chain.fault",
        extra={"state": run.state, "exception": run.exception, "gas_consumed": run.gas_consumed},
    )


async def network_fee(client: NeoRpc, draft: Draft) -> int:
    raw = draft.with_witness(SIZING_SIGNATURE)
    answer = await client.request("calculatenetworkfee", [base64.b64encode(raw).decode()])
    return as_int(field(answer, "networkfee"), "networkfee")


async def draft(
    client: NeoRpc,
    script: bytes,
    verification: bytes,
    *,
    system_fee: int,
    valid_for_blocks: int,
) -> Draft:
    """Height, nonce and network fee around an already-priced script."""
    height = as_int(await client.request("getblockcount"), "block count")
    unpriced = Draft(
        script=script,
        sender=hash160(verification),
        verification=verification,
        nonce=secrets.randbits(32),
        system_fee=system_fee,
        network_fee=0,
        valid_until_block=height + valid_for_blocks,
    )
    fee = await network_fee(client, unpriced)
    return replace(unpriced, network_fee=fee)


async def sign(draft: Draft, magic: int, sign_function: SignFunction) -> bytes:
    """The signed transaction bytes (what ``sendrawtransaction`` takes)."""
    signature = await sign_function(signing_data(draft.unsigned(), magic))
    return draft.with_witness(signature)
