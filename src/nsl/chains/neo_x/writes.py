"""Neo X writes: ``invoke``, ``deploy`` and ``send_raw``, each awaited to its receipt.

A call that reverts in ``eth_estimateGas`` is refused before anything is signed
(``chain.reverted``). A transaction mined with status 0 is a FAULT outcome whose reason comes
from replaying it with ``eth_call`` on the state of its block (``outcomes.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import coincurve

from nsl.chains.neo_x.abi import Abi, constructor, validate_abi
from nsl.chains.neo_x.abi_values import encode_args
from nsl.chains.neo_x.accounts import evm_address
from nsl.chains.neo_x.eip1559 import Eip1559Transaction, decode_signed, signing_hash
from nsl.chains.neo_x.networks import EIP3860_INITCODE_LIMIT
from nsl.chains.neo_x.outcomes import TxFacts, outcome
from nsl.chains.neo_x.reads import revert_text
from nsl.chains.neo_x.rpc import RpcError
from nsl.chains.neo_x.transactions import Sent
from nsl.core.chain import (
    ChainRejected,
    ChainTimeout,
    ContractCall,
    Deployment,
    TxOutcome,
    TxSigner,
    Validity,
)
from nsl.core.enclave import KeyType
from nsl.core.errors import ValidationFailed

if TYPE_CHECKING:
    from nsl.chains.neo_x.adapter import NeoXChain


def _bytecode(code: Any, limit: int) -> bytes:
    """Init code from bytes or 0x hex, non-empty and within the size limits."""
    if isinstance(code, str):
        body = code[2:] if code[:2] in ("0x", "0X") else code
        try:
            code = bytes.fromhex(body) if len(body) % 2 == 0 else None
        except ValueError:
            code = None
        if code is None:
            raise ValidationFailed.on("bytecode", "hex_bytes", "must be hex with an even length")
    if not isinstance(code, bytes | bytearray) or not code:
        raise ValidationFailed.on("bytecode", "required", "must be non-empty EVM init code")
    cap = min(limit, EIP3860_INITCODE_LIMIT)
    if len(code) > cap:
        raise ValidationFailed.on("bytecode", "max_size", f"must be at most {cap} bytes")
    if code[0] == 0xEF:
        raise ValidationFailed.on("bytecode", "evm_code", "0xEF-prefixed code is not EVM bytecode")
    return bytes(code)


class Writes:
    def __init__(self, chain: NeoXChain) -> None:
        self.chain = chain

    async def invoke(
        self, call: ContractCall, signer: TxSigner, *, timeout_s: float | None
    ) -> TxOutcome:
        sender = self._sender(signer)
        contract, abi, _fn, data = self.chain.prepare_call(call)
        return await self._transact(signer, sender, contract, data, abi, timeout_s)

    async def deploy(
        self, deployment: Deployment, signer: TxSigner, *, timeout_s: float | None
    ) -> TxOutcome:
        code = _bytecode(deployment.code, self.chain.settings.max_contract_bytes)
        abi = validate_abi(deployment.abi if deployment.abi is not None else [], "abi")
        if not isinstance(deployment.args, list):
            raise ValidationFailed.on("args", "array", "must be a JSON array")
        data = code + encode_args(constructor(abi).input_types, deployment.args)
        sender = self._sender(signer)
        return await self._transact(signer, sender, None, data, abi, timeout_s)

    async def send_raw(self, raw: bytes, *, timeout_s: float | None) -> TxOutcome:
        tx, y_parity, r, s = decode_signed(bytes(raw), "raw")
        chain_id = await self.chain.chain_id()
        if tx.chain_id != chain_id:
            raise ValidationFailed.on("raw.chainId", "chain_id", f"must be {chain_id}")
        cap = self.chain.settings.max_gas
        if cap and tx.gas > cap:
            raise ValidationFailed.on("raw.gas", "max_gas", f"must be at most {cap}")
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([y_parity])
        try:
            key = coincurve.PublicKey.from_signature_and_message(
                signature, signing_hash(tx), hasher=None
            )
        except ValueError:
            raise ValidationFailed.on("raw.signature", "recoverable", "recovers no key") from None
        sender = evm_address(key.format())
        tx_hash = await self.chain.transactor.send_raw(bytes(raw))
        return await self._outcome(Sent(tx_hash, sender, tx), None, timeout_s)

    def _sender(self, signer: TxSigner) -> str:
        if signer.key_type is not KeyType.SECP256K1:
            raise ValidationFailed.on("key_type", "secp256k1", "Neo X needs a secp256k1 key")
        return evm_address(signer.public_key)

    async def _transact(
        self,
        signer: TxSigner,
        sender: str,
        to: str | None,
        data: bytes,
        abi: Abi,
        timeout_s: float | None,
    ) -> TxOutcome:
        chain_id = await self.chain.chain_id()
        request: dict[str, Any] = {"from": sender, "data": "0x" + data.hex()}
        if to is not None:
            request["to"] = to
        transactor = self.chain.transactor
        try:
            gas = await self.chain.rpc.number("eth_estimateGas", request, "latest")
        except RpcError as exc:
            if not exc.is_revert:
                raise
            reason = revert_text(exc, abi)
            raise ChainRejected(
                f"execution reverted: {reason}", code="chain.reverted", extra={"reason": reason}
            ) from None
        limit = transactor.gas_limit(gas)
        fees = await transactor.fees()
        to_bytes = bytes.fromhex(to[2:]) if to is not None else None

        def build(nonce: int) -> Eip1559Transaction:
            return Eip1559Transaction(
                chain_id=chain_id,
                nonce=nonce,
                max_priority_fee_per_gas=fees.tip,
                max_fee_per_gas=fees.max_fee,
                gas=limit,
                to=to_bytes,
                value=0,
                data=data,
            )

        sent = await transactor.send(signer, sender, build)
        return await self._outcome(sent, abi, timeout_s)

    async def _outcome(self, sent: Sent, abi: Abi | None, timeout_s: float | None) -> TxOutcome:
        try:
            receipt = await self.chain.transactor.receipt(sent.tx_hash, timeout_s)
        except ChainTimeout as exc:  # with what tells later whether it can still land
            self.chain.transactor.nonces.forget(sent.sender)
            exc.extra.update(Validity(sender=sent.sender, nonce=sent.tx.nonce).to_json())
            raise
        return await outcome(self.chain, TxFacts.of(sent), receipt, abi)
