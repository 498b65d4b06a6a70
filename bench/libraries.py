"""Raw library speed, in this process on one core: the baseline of the key and VRF scenarios."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable

import coincurve
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from nsl.enclave.ecvrf import P256_SHA256_TAI

DATA = bytes.fromhex("48656c6c6f204e656f")


def _p256_sign() -> Callable[[], object]:
    key = ec.generate_private_key(ec.SECP256R1())
    algorithm = ec.ECDSA(hashes.SHA256())
    return lambda: key.sign(DATA, algorithm)


def _secp256k1_sign() -> Callable[[], object]:
    key = coincurve.PrivateKey()
    return lambda: key.sign_recoverable(hashlib.sha256(DATA).digest(), hasher=None)


def _vrf_prove() -> Callable[[], object]:
    secret = (int.from_bytes(os.urandom(32), "big") % (2**255)).to_bytes(32, "big")
    return lambda: P256_SHA256_TAI.prove(secret, DATA)


OPERATIONS: dict[str, Callable[[], Callable[[], object]]] = {
    "cryptography P-256 ECDSA-SHA256 sign": _p256_sign,
    "coincurve secp256k1 recoverable sign": _secp256k1_sign,
    "nsl ECVRF-P256-SHA256-TAI prove": _vrf_prove,
}


def ops_per_second(name: str, duration_s: float) -> float:
    """Calls per second of one library operation, single-threaded, over ``duration_s``."""
    operation = OPERATIONS[name]()
    count, start = 0, time.perf_counter()
    deadline = start + duration_s
    while True:
        for _ in range(50):
            operation()
        count += 50
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)
