"""Deterministic ECDSA-style nonces (RFC 6979 §3.2) as ECVRF-P256-SHA256-TAI uses them.

RFC 9381 §5.4.2.1: the message is ``h_string`` (the encoded hash-to-curve point), hashed once
with SHA-256; q is the P-256 group order, so qlen = hlen = 256 and ``bits2int`` needs no shift.
"""

from __future__ import annotations

import hashlib
import hmac


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def nonce(secret_scalar: int, message: bytes, order: int) -> int:
    """The RFC 6979 nonce k in [1, order) for a 256-bit order and SHA-256."""
    h1 = int.from_bytes(hashlib.sha256(message).digest(), "big") % order
    material = secret_scalar.to_bytes(32, "big") + h1.to_bytes(32, "big")
    v = b"\x01" * 32
    k = b"\x00" * 32
    k = _hmac(k, v + b"\x00" + material)
    v = _hmac(k, v)
    k = _hmac(k, v + b"\x01" + material)
    v = _hmac(k, v)
    while True:
        v = _hmac(k, v)
        candidate = int.from_bytes(v, "big")
        if 1 <= candidate < order:
            return candidate
        k = _hmac(k, v + b"\x00")
        v = _hmac(k, v)
