"""Signature checks with libraries independent of the enclave that signs: ``cryptography``
for secp256r1/SHA-256 (Neo N3 and off-chain forms) and ``eth-account`` for EIP-191 (Neo X)."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from eth_account import Account
from eth_account.messages import encode_defunct


def p256_valid(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """ECDSA secp256r1 over SHA-256(message), 64-byte r‖s."""
    if len(signature) != 64:
        return False
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key)
    except ValueError:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    try:
        key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def eip191_signer(message: bytes, signature: bytes) -> str | None:
    """The checksummed address that signed ``message`` as a personal message (r‖s‖v), or None."""
    if len(signature) != 65 or signature[64] not in (27, 28):
        return None
    try:
        address: str = Account.recover_message(
            encode_defunct(primitive=message), signature=signature
        )
    except Exception:  # noqa: BLE001 - eth-account raises several types for a bad signature
        return None
    return address
