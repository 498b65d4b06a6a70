"""ECVRF (RFC 9381): ECVRF-P256-SHA256-TAI and ECVRF-EDWARDS25519-SHA512-TAI.

P-256 scalar multiplications go through OpenSSL (``p256_openssl``: constant time); the rest,
and all of edwards25519, is pure Python (extended coordinates, width-5 wNAF, a lazily built
signed radix-2⁸ generator table, ≈ 65 ms once per process). Measured on the 2-core dev machine
(CPython 3.11, one core, µs per call; ~25 % more when the machine is busy):

    suite                          prove   verify
    ECVRF-P256-SHA256-TAI            980    1,900   (pure Python: 2,600 / 2,300)
    ECVRF-EDWARDS25519-SHA512-TAI  2,400    2,200

The pure-Python arithmetic is not constant time (Python integers cannot be): for Ed25519 keys
the time of a proof depends on the secret scalar and the nonce. A hardware provider should
prove inside itself.
"""

from nsl.enclave.ecvrf.core import Suite
from nsl.enclave.ecvrf.errors import VrfInvalid
from nsl.enclave.ecvrf.suites import (
    EDWARDS25519_SHA512_TAI,
    P256_SHA256_TAI,
    SUITES,
    suite_for,
)
from nsl.enclave.ecvrf.values import draw_values

__all__ = [
    "EDWARDS25519_SHA512_TAI",
    "P256_SHA256_TAI",
    "SUITES",
    "Suite",
    "VrfInvalid",
    "draw_values",
    "suite_for",
]
