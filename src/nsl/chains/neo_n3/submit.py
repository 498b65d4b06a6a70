"""State-changing Neo N3 calls: test-run, price, sign through a :class:`TxSigner`, relay, wait for
the block, and report the execution (HALT or FAULT with the VM's message) with its events.
"""

from __future__ import annotations

import time
from typing import Any

from nsl.chains.endpoints import EndpointFailure
from nsl.chains.neo_n3.accounts import hash160, verification_script
from nsl.chains.neo_n3.notifications import (
    BlockNotifications,
    ShapesOf,
    block_notifications,
    to_events,
)
from nsl.chains.neo_n3.receipts import application_log, not_found, send, wait_for
from nsl.chains.neo_n3.rpc import NeoRpc, NeoRpcError, as_int
from nsl.chains.neo_n3.session import NeoSession
from nsl.chains.neo_n3.stack import stack
from nsl.chains.neo_n3.transaction import parse_unsigned_transaction
from nsl.chains.neo_n3.txbuild import draft, dry_run, fault_error, sign
from nsl.core.chain import (
    ChainRejected,
    ChainTimeout,
    ChainUnavailable,
    TxOutcome,
    TxSigner,
    Validity,
    VmState,
)
from nsl.core.enclave import KeyType, SignAlgorithm
from nsl.core.errors import ValidationFailed
from nsl.core.settings import ChainSettings

MIN_VALID_BLOCKS = 20
POLL_MIN_S = 0.02
POLL_MAX_S = 1.0


class Submitter:
    def __init__(self, session: NeoSession, settings: ChainSettings, shapes_of: ShapesOf) -> None:
        self.session = session
        self.settings = settings
        self.shapes_of = shapes_of

    def check_system_fee(self, system_fee: int) -> None:
        limit = self.settings.max_gas
        if limit and system_fee > limit:
            raise ChainRejected(
                f"system fee {system_fee} datoshi exceeds the configured limit of {limit}",
                code="chain.gas_limit",
                extra={"system_fee": system_fee, "max_gas": limit},
            )

    async def submit(
        self, script: bytes, signer: TxSigner, timeout_s: float | None, contract: str | None = None
    ) -> TxOutcome:
        if signer.key_type != KeyType.SECP256R1:
            raise ValidationFailed.on("key", "key_type", "Neo N3 transactions need a secp256r1 key")
        verification = verification_script(signer.public_key)
        sender = hash160(verification)
        run = await self.session.run("invokescript", lambda c: dry_run(c, script, sender))
        if run.state != "HALT":
            raise fault_error(run)
        self.check_system_fee(run.gas_consumed)
        protocol = await self.session.ensure_protocol()
        blocks = self._valid_for(protocol.ms_per_block, protocol.max_valid_until_increment)
        unsigned = await self.session.run(
            "calculatenetworkfee",
            lambda c: draft(
                c, script, verification, system_fee=run.gas_consumed, valid_for_blocks=blocks
            ),
        )

        async def sign_data(message: bytes) -> bytes:
            return await signer.sign(message, SignAlgorithm.ECDSA_SHA256)

        raw = await sign(unsigned, protocol.magic, sign_data)
        return await self.relay(raw, unsigned.fee, timeout_s, contract)

    async def send_raw(self, raw: bytes, timeout_s: float | None) -> TxOutcome:
        tx = parse_unsigned_transaction(raw)
        if tx.witness_count != len(tx.signers):
            raise ValidationFailed.on("transaction", "signed", "needs one witness per signer")
        self.check_system_fee(tx.system_fee)
        return await self.relay(raw, tx.system_fee + tx.network_fee, timeout_s)

    async def relay(
        self, raw: bytes, fee: int, timeout_s: float | None, contract: str | None = None
    ) -> TxOutcome:
        tx = parse_unsigned_transaction(raw)
        tx_hash = tx.hash_hex
        protocol = await self.session.ensure_protocol()
        await self.session.run("sendrawtransaction", lambda c: send(c, raw, tx_hash))
        deadline = time.monotonic() + (timeout_s or self.settings.receipt_timeout_s)
        interval = min(POLL_MAX_S, max(POLL_MIN_S, protocol.ms_per_block / 5000))
        try:
            log = await wait_for(
                lambda: self.session.run(
                    "getapplicationlog", lambda c: application_log(c, tx_hash)
                ),
                tx_hash,
                deadline,
                interval,
            )
            block = await wait_for(
                lambda: self.session.run("getblocknotifications", lambda c: block_of(c, tx_hash)),
                tx_hash,
                deadline,
                interval,
            )
            try:
                return await self.outcome(tx_hash, log, block, fee, contract)
            except ChainUnavailable as exc:  # it is in a block: the caller must get the hash
                raise ChainTimeout(
                    f"transaction {tx_hash} is in block {block.number}, but reading its events "
                    f"failed: {exc.detail}",
                    extra={"tx_hash": tx_hash},
                ) from exc
        except ChainTimeout as exc:  # what the caller needs to tell later whether it expired
            exc.extra.update(Validity(valid_until_block=tx.valid_until_block).to_json())
            raise

    async def outcome(
        self,
        tx_hash: str,
        log: dict[str, Any],
        block: BlockNotifications,
        fee: int,
        contract: str | None,
    ) -> TxOutcome:
        execution = _application_execution(log)
        state: VmState = "HALT" if execution.get("vmstate") == "HALT" else "FAULT"
        events = []
        if state == "HALT":
            events = await to_events(block, self.shapes_of, container=tx_hash)
        return TxOutcome(
            tx_hash=tx_hash,
            block_number=block.number,
            block_hash=block.hash,
            state=state,
            gas_consumed=int(execution.get("gasconsumed") or 0),
            fee=fee,
            exception=execution.get("exception") or None,
            events=events,
            contract=contract if state == "HALT" else None,
            result=stack(execution.get("stack") or []),
        )

    def _valid_for(self, ms_per_block: int, max_increment: int) -> int:
        """Valid-until: a little past the receipt wait, so a lost transaction expires soon."""
        wait_blocks = int(self.settings.receipt_timeout_s * 1000 / max(ms_per_block, 1)) + 5
        return max(1, min(max_increment - 1, max(MIN_VALID_BLOCKS, wait_blocks)))


def _application_execution(log: dict[str, Any]) -> dict[str, Any]:
    for execution in log.get("executions") or []:
        if isinstance(execution, dict) and execution.get("trigger", "Application") == "Application":
            return execution
    raise EndpointFailure("application log without an Application execution")


async def block_of(client: NeoRpc, tx_hash: str) -> BlockNotifications:
    """The notifications of the block holding ``tx_hash`` (EndpointFailure while this endpoint
    has not seen it: another one answered its log)."""
    try:
        height = as_int(await client.request("gettransactionheight", [tx_hash]), "height")
    except NeoRpcError as error:
        if not_found(error):  # another endpoint answered the log; this one lags behind
            raise EndpointFailure("endpoint has not seen the transaction yet") from None
        raise
    return await block_notifications(client, height)
