"""The two ciphersuites: ECVRF-P256-SHA256-TAI (0x01) and ECVRF-EDWARDS25519-SHA512-TAI (0x03)."""

from __future__ import annotations

import hashlib
from typing import Any

from nsl.core.errors import ValidationFailed
from nsl.enclave.ecvrf import edwards25519 as ed
from nsl.enclave.ecvrf import p256, p256_openssl
from nsl.enclave.ecvrf.core import EcvrfSuite, Suite
from nsl.enclave.ecvrf.rfc6979 import nonce as rfc6979_nonce


class P256Sha256Tai(EcvrfSuite):
    """RFC 9381 §5.5 suite 0x01: SK is a 32-byte big-endian scalar, PK its compressed point."""

    name = "ECVRF-P256-SHA256-TAI"
    suite_string = b"\x01"
    order = p256.N
    cofactor = 1
    point_len = 33
    byteorder = "big"

    def digest(self, data: bytes) -> bytes:
        return hashlib.sha256(data).digest()

    def encode_point(self, point: Any) -> bytes:
        return p256.encode(point)

    def decode_point(self, data: bytes) -> Any:
        return p256.decode(data)

    def multiply_base(self, k: int) -> Any:
        return p256_openssl.multiply_base(k)

    def multiply(self, point: Any, k: int) -> Any:
        return p256_openssl.multiply(point, k)

    def multiply_two(self, a: int, pa: Any, b: int, pb: Any) -> Any:
        return p256_openssl.multiply_two(a, pa, b, pb)

    def add(self, a: Any, b: Any) -> Any:
        return p256.add(a, b)

    def negate(self, point: Any) -> Any:
        return p256.negate(point)

    def clear_cofactor(self, point: Any) -> Any:
        return point

    def is_identity(self, point: Any) -> bool:
        return p256.is_identity(point)

    def secret_scalar(self, secret: bytes) -> int:
        if len(secret) != 32:
            raise ValueError("a P-256 VRF secret key is a 32-byte scalar")
        x = int.from_bytes(secret, "big")
        if not 1 <= x < p256.N:
            raise ValueError("a P-256 VRF secret key must lie in [1, n)")
        return x

    def nonce(self, secret: bytes, x: int, h_string: bytes) -> int:
        return rfc6979_nonce(x, h_string, p256.N)

    def hash_to_point(self, hash_string: bytes) -> tuple[Any, bytes] | None:
        encoded = b"\x02" + hash_string
        point = p256.decode(encoded)
        return None if point is None else (point, encoded)


class Edwards25519Sha512Tai(EcvrfSuite):
    """RFC 9381 §5.5 suite 0x03: SK is an RFC 8032 seed, x its clamped secret scalar."""

    name = "ECVRF-EDWARDS25519-SHA512-TAI"
    suite_string = b"\x03"
    order = ed.Q
    cofactor = 8
    point_len = 32
    byteorder = "little"

    def digest(self, data: bytes) -> bytes:
        return hashlib.sha512(data).digest()

    def encode_point(self, point: Any) -> bytes:
        return ed.encode(point)

    def decode_point(self, data: bytes) -> Any:
        return ed.decode(data)

    def multiply_base(self, k: int) -> Any:
        return ed.multiply_base(k)

    def multiply(self, point: Any, k: int) -> Any:
        return ed.multiply(point, k)

    def multiply_two(self, a: int, pa: Any, b: int, pb: Any) -> Any:
        return ed.multiply_two(a, pa, b, pb)

    def add(self, a: Any, b: Any) -> Any:
        return ed.add(a, b)

    def negate(self, point: Any) -> Any:
        return ed.negate(point)

    def clear_cofactor(self, point: Any) -> Any:
        return ed.mul_by_cofactor(point)

    def is_identity(self, point: Any) -> bool:
        return ed.is_identity(point)

    def secret_scalar(self, secret: bytes) -> int:
        if len(secret) != 32:
            raise ValueError("an Ed25519 VRF secret key is a 32-byte seed")
        scalar = bytearray(hashlib.sha512(secret).digest()[:32])
        scalar[0] &= 248
        scalar[31] &= 127
        scalar[31] |= 64
        return int.from_bytes(scalar, "little")

    def nonce(self, secret: bytes, x: int, h_string: bytes) -> int:
        prefix = hashlib.sha512(secret).digest()[32:]
        return int.from_bytes(hashlib.sha512(prefix + h_string).digest(), "little") % ed.Q

    def hash_to_point(self, hash_string: bytes) -> tuple[Any, bytes] | None:
        point = ed.decode(hash_string[:32])
        if point is None:
            return None
        cleared = ed.mul_by_cofactor(point)
        return cleared, ed.encode(cleared)


P256_SHA256_TAI: Suite = P256Sha256Tai()
EDWARDS25519_SHA512_TAI: Suite = Edwards25519Sha512Tai()
SUITES: dict[str, Suite] = {s.name: s for s in (P256_SHA256_TAI, EDWARDS25519_SHA512_TAI)}


def suite_for(name: str) -> Suite:
    """The suite called ``name``; ValidationFailed on field ``suite`` naming the allowed ones."""
    suite = SUITES.get(name)
    if suite is None:
        allowed = ", ".join(SUITES)
        raise ValidationFailed.on("suite", "one_of", f"unknown VRF suite; allowed: {allowed}")
    return suite
