"""Transaction signing: a Neo N3 witness for a network magic, a signed EIP-1559 transaction.

The chain modules parse and encode; the enclave signs the digest they name.
"""

from __future__ import annotations

from typing import Any

from nsl.chains.neo_n3 import witness as n3
from nsl.chains.neo_n3.transaction import parse_unsigned_transaction
from nsl.chains.neo_x import eip1559
from nsl.chains.neo_x.accounts import evm_address
from nsl.chains.neo_x.signature import split_recoverable
from nsl.core.enclave import Enclave, SignAlgorithm
from nsl.services.keys import rules
from nsl.services.keys.errors import InvalidInput
from nsl.services.keys.record import VersionInfo
from nsl.services.keys.schemas import SignBody


async def sign_neo_n3(
    enclave: Enclave, version: VersionInfo, body: SignBody
) -> tuple[bytes, dict[str, Any]]:
    """The witness of ``version``'s account on an unsigned Neo N3 transaction."""
    if not isinstance(body.transaction, str):
        raise InvalidInput.on("transaction", "hex", "give the unsigned transaction as hex")
    if body.network_magic is None:
        raise InvalidInput.on("network_magic", "required", "neo-n3-tx needs the network magic")
    raw = rules.hex_bytes(body.transaction, "transaction")
    tx = parse_unsigned_transaction(raw)

    async def sign(message: bytes) -> bytes:
        return await enclave.sign(version.ref, message, SignAlgorithm.ECDSA_SHA256)

    witness = await n3.sign_transaction(tx, body.network_magic, version.public_key, sign)
    result: dict[str, Any] = {
        "signature": witness.invocation[2:].hex(),
        "invocation_script": witness.invocation.hex(),
        "verification_script": witness.verification.hex(),
        "witness": witness.to_json(),
        "tx_hash": tx.hash_hex,
        "network_magic": body.network_magic,
    }
    if len(tx.signers) == 1:
        result["raw_transaction"] = n3.signed_transaction(tx.unsigned, [witness]).hex()
    return raw, result


async def sign_eip1559(
    enclave: Enclave, version: VersionInfo, body: SignBody
) -> tuple[bytes, dict[str, Any]]:
    """``raw_transaction`` ready for ``eth_sendRawTransaction`` and its hash."""
    if not isinstance(body.transaction, dict):
        raise InvalidInput.on("transaction", "object", "give the transaction's fields as JSON")
    tx = eip1559.from_json(body.transaction)
    payload = eip1559.unsigned_payload(tx)
    signature = await enclave.sign(
        version.ref, eip1559.signing_hash(tx), SignAlgorithm.ECDSA_RECOVERABLE
    )
    parts = split_recoverable(signature)
    raw = eip1559.encode_signed(tx, parts.y_parity, parts.r, parts.s)
    return payload, {
        "signature": signature.hex(),
        "raw_transaction": "0x" + raw.hex(),
        "tx_hash": "0x" + eip1559.transaction_hash(raw).hex(),
        "from": evm_address(version.public_key),
    }
