"""Neo N3 witnesses for a standard (single-signature) account.

A witness signs ``network magic (uint32 LE) ‖ SHA-256(unsigned tx)`` with ECDSA-P256/SHA-256;
the signature itself comes from the caller (the enclave), never from key material here.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from nsl.chains.neo_n3.accounts import PUSHDATA1, hash160, verification_script
from nsl.chains.neo_n3.transaction import UnsignedTransaction, parse_unsigned_transaction
from nsl.core.errors import ValidationFailed

__all__ = [
    "Witness",
    "invocation_script",
    "parse_unsigned_transaction",
    "sign_transaction",
    "signed_transaction",
    "signing_data",
    "witness",
]

SIGNATURE_LENGTH = 64


def _var_int(value: int) -> bytes:
    if value < 0xFD:
        return bytes([value])
    if value <= 0xFFFF:
        return b"\xfd" + value.to_bytes(2, "little")
    if value <= 0xFFFFFFFF:
        return b"\xfe" + value.to_bytes(4, "little")
    return b"\xff" + value.to_bytes(8, "little")


def _var_bytes(data: bytes) -> bytes:
    return _var_int(len(data)) + data


def signing_data(unsigned_tx: bytes, network_magic: int) -> bytes:
    """``magic (uint32 LE) ‖ SHA-256(unsigned tx)``: the message a witness signature covers."""
    if (
        isinstance(network_magic, bool)
        or not isinstance(network_magic, int)
        or not 0 <= network_magic <= 0xFFFFFFFF
    ):
        raise ValidationFailed.on("network_magic", "uint32", "must be between 0 and 4294967295")
    return network_magic.to_bytes(4, "little") + hashlib.sha256(unsigned_tx).digest()


def invocation_script(signature: bytes) -> bytes:
    """PUSHDATA1 64 <r ‖ s>."""
    if len(signature) != SIGNATURE_LENGTH:
        raise ValidationFailed.on("signature", "length", "must be 64 bytes (r ‖ s)")
    return bytes([PUSHDATA1, SIGNATURE_LENGTH]) + signature


@dataclass(frozen=True)
class Witness:
    invocation: bytes
    verification: bytes

    def to_bytes(self) -> bytes:
        return _var_bytes(self.invocation) + _var_bytes(self.verification)

    def to_json(self) -> dict[str, str]:
        """The witness as Neo RPC shows it (base64 scripts)."""
        return {
            "invocation": base64.b64encode(self.invocation).decode(),
            "verification": base64.b64encode(self.verification).decode(),
        }


def witness(signature: bytes, public_key: bytes) -> Witness:
    return Witness(invocation_script(signature), verification_script(public_key))


def signed_transaction(unsigned_tx: bytes, witnesses: Sequence[Witness]) -> bytes:
    """The full transaction (``sendrawtransaction`` bytes): one witness per signer, in order."""
    return unsigned_tx + _var_int(len(witnesses)) + b"".join(w.to_bytes() for w in witnesses)


async def sign_transaction(
    transaction: UnsignedTransaction,
    network_magic: int,
    public_key: bytes,
    sign: Callable[[bytes], Awaitable[bytes]],
) -> Witness:
    """A witness for ``public_key``; ``sign`` returns the 64-byte ECDSA-SHA256 r‖s of its input.

    Refuses (``transaction.signers``) when the key's account is not a signer of the transaction.
    """
    verification = verification_script(public_key)
    if hash160(verification) not in {signer.account for signer in transaction.signers}:
        raise ValidationFailed.on(
            "transaction.signers", "signer_required", "the key's account is not a signer"
        )
    signature = await sign(signing_data(transaction.unsigned, network_magic))
    return Witness(invocation_script(signature), verification)
