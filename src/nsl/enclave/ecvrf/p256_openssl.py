"""P-256 scalar multiplication by OpenSSL (through ``cryptography``): faster, constant time.

OpenSSL offers k·G (deriving a key's public point) and the x-coordinate of k·P (ECDH), not
k·P itself. The y-coordinate of k·P is one of the two square roots for that x; the right one
is the root whose point, plus k·G, has the x-coordinate ECDH gives for k·(P + G). Degenerate
inputs (P = -G) fall back to the pure-Python arithmetic in ``p256``.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec

from nsl.enclave.ecvrf import p256
from nsl.enclave.ecvrf.p256 import GENERATOR, IDENTITY, Affine, B, Jacobian, N, P

_CURVE = ec.SECP256R1()
_SQRT_EXP = (P + 1) // 4


def multiply_base(k: int) -> Jacobian:
    k %= N
    if k == 0:
        return IDENTITY
    numbers = ec.derive_private_key(k, _CURVE).public_key().public_numbers()
    return (numbers.x, numbers.y, 1)


def multiply(pt: Jacobian, k: int) -> Jacobian:
    k %= N
    affine = p256.to_affine(pt)
    if k == 0 or affine is None:
        return IDENTITY
    shifted = p256.to_affine(p256.add_affine(GENERATOR, *affine))
    if shifted is None:  # pt is -G
        return p256.multiply(pt, k)
    private = ec.derive_private_key(k, _CURVE)
    x = _shared_x(private, affine)
    target = _shared_x(private, shifted)
    kg = private.public_key().public_numbers()
    rhs = (x * x * x - 3 * x + B) % P
    root = pow(rhs, _SQRT_EXP, P)
    for y in (root, P - root):
        moved = p256.to_affine(p256.add_affine((x, y, 1), kg.x, kg.y))
        if moved is not None and moved[0] == target:
            return (x, y, 1)
    return p256.multiply(pt, k)  # not reached for points on the curve


def multiply_two(a: int, pa: Jacobian, b: int, pb: Jacobian) -> Jacobian:
    return p256.add(_times(pa, a), _times(pb, b))


def _times(pt: Jacobian, k: int) -> Jacobian:
    if p256.to_affine(pt) == (GENERATOR[0], GENERATOR[1]):
        return multiply_base(k)
    return multiply(pt, k)


def _shared_x(private: ec.EllipticCurvePrivateKey, point: Affine) -> int:
    peer = ec.EllipticCurvePublicNumbers(point[0], point[1], _CURVE).public_key()
    return int.from_bytes(private.exchange(ec.ECDH(), peer), "big")
