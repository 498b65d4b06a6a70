"""Recoverable secp256k1 signatures as the enclave returns them: r ‖ s ‖ recovery id (65 bytes)."""

from __future__ import annotations

from dataclasses import dataclass

from nsl.core.errors import ValidationFailed

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HALF_N = SECP256K1_N // 2


@dataclass(frozen=True)
class RecoverableSignature:
    y_parity: int
    r: int
    s: int


def check_values(y_parity: int, r: int, s: int, field: str = "signature") -> None:
    """Refuse what Ethereum nodes refuse: y parity not 0/1, r or s out of range, high s."""
    if y_parity not in (0, 1):
        raise ValidationFailed.on(field, "y_parity", "recovery id must be 0 or 1")
    if not 0 < r < SECP256K1_N:
        raise ValidationFailed.on(field, "range", "r is out of range")
    if not 0 < s <= HALF_N:
        raise ValidationFailed.on(field, "low_s", "s must be in the lower half of the order")


def split_recoverable(signature: bytes, field: str = "signature") -> RecoverableSignature:
    if len(signature) != 65:
        raise ValidationFailed.on(field, "length", "must be 65 bytes (r ‖ s ‖ recovery id)")
    parts = RecoverableSignature(
        y_parity=signature[64],
        r=int.from_bytes(signature[:32], "big"),
        s=int.from_bytes(signature[32:64], "big"),
    )
    check_values(parts.y_parity, parts.r, parts.s, field)
    return parts
