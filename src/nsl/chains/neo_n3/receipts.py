"""Sending a signed Neo N3 transaction and waiting for its application log (with a deadline)."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from nsl.chains.neo_n3.rpc import (
    ALREADY_EXISTS,
    ALREADY_IN_POOL,
    GENERIC_ERROR,
    UNKNOWN_BLOCK,
    UNKNOWN_CONTRACT,
    UNKNOWN_HEIGHT,
    UNKNOWN_SCRIPT_CONTAINER,
    UNKNOWN_TRANSACTION,
    NeoRpc,
    NeoRpcError,
)
from nsl.core.chain import ChainTimeout, ChainUnavailable

T = TypeVar("T")

NOT_FOUND_CODES = frozenset(
    {UNKNOWN_BLOCK, UNKNOWN_CONTRACT, UNKNOWN_TRANSACTION, UNKNOWN_SCRIPT_CONTAINER, UNKNOWN_HEIGHT}
)


def not_found(error: NeoRpcError) -> bool:
    """The node does not have the block, transaction or contract asked for (yet)."""
    if error.rpc_code in NOT_FOUND_CODES:
        return True
    return error.rpc_code == GENERIC_ERROR and "unknown" in error.rpc_message.lower()


async def send(client: NeoRpc, raw: bytes, tx_hash: str) -> None:
    """Relay ``raw``; a node that already has it (a retry on another endpoint) is fine."""
    try:
        answer = await client.request("sendrawtransaction", [base64.b64encode(raw).decode()])
    except NeoRpcError as error:
        if error.rpc_code in (ALREADY_EXISTS, ALREADY_IN_POOL):
            return
        raise
    if isinstance(answer, dict) and answer.get("hash") not in (None, tx_hash):
        raise NeoRpcError(0, f"node reports hash {answer.get('hash')}, expected {tx_hash}")


async def application_log(client: NeoRpc, tx_hash: str) -> dict[str, Any] | None:
    """The transaction's application log, or None while it is not in a block."""
    try:
        answer = await client.request("getapplicationlog", [tx_hash])
    except NeoRpcError as error:
        if not_found(error):
            return None
        raise
    return answer if isinstance(answer, dict) else None


async def wait_for(
    fetch: Callable[[], Awaitable[T | None]], tx_hash: str, deadline: float, interval_s: float
) -> T:
    """Poll ``fetch`` until it returns something; ChainTimeout (naming the hash) once the
    monotonic ``deadline`` passed. Endpoints failing or refusing meanwhile do not end the wait:
    the transaction is already out, so the caller must learn its hash."""
    while True:
        try:
            found = await fetch()
        except (ChainUnavailable, NeoRpcError):
            found = None
        if found is not None:
            return found
        if time.monotonic() >= deadline:
            raise ChainTimeout(
                f"transaction {tx_hash} was sent but not seen in a block in time; "
                "it may still be included until its valid-until block",
                extra={"tx_hash": tx_hash},
            )
        await asyncio.sleep(interval_s)
