"""EIP-191 version 0x45 ("personal_sign") messages and their 65-byte Ethereum signatures."""

from __future__ import annotations

from nsl.chains.neo_x.hashing import keccak256
from nsl.chains.neo_x.signature import split_recoverable

PREFIX = b"\x19Ethereum Signed Message:\n"


def personal_message_digest(message: bytes) -> bytes:
    """Keccak-256(``\\x19Ethereum Signed Message:\\n`` ‖ decimal length ‖ message)."""
    return keccak256(PREFIX + str(len(message)).encode() + message)


def ethereum_signature(recoverable: bytes) -> bytes:
    """r ‖ s ‖ v with v = 27 + recovery id, from the enclave's 65-byte r ‖ s ‖ recovery id."""
    parts = split_recoverable(recoverable)
    return recoverable[:64] + bytes([27 + parts.y_parity])
