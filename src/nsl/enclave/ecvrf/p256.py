"""NIST P-256 arithmetic on Python integers: Jacobian points, wNAF and fixed-base multiplication.

Points are ``(X, Y, Z)`` with affine ``x = X/Z², y = Y/Z³``; ``Z == 0`` is the identity.
Not constant time: callers that hold secrets accept that (see the package docstring).
"""

from __future__ import annotations

from collections.abc import Sequence

P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5

Jacobian = tuple[int, int, int]
Affine = tuple[int, int]

IDENTITY: Jacobian = (1, 1, 0)
GENERATOR: Jacobian = (GX, GY, 1)
_SQRT_EXP = (P + 1) // 4  # P ≡ 3 (mod 4)
_WINDOW = 5  # wNAF width for variable-base multiplication
_COMB = 8  # bits per window of the fixed-base table


def double(pt: Jacobian) -> Jacobian:
    """2·pt (dbl-2001-b, a = -3)."""
    x1, y1, z1 = pt
    if z1 == 0 or y1 == 0:
        return IDENTITY
    p = P
    delta = z1 * z1 % p
    gamma = y1 * y1 % p
    beta = x1 * gamma % p
    alpha = 3 * (x1 - delta) * (x1 + delta) % p
    x3 = (alpha * alpha - (beta << 3)) % p
    z3 = (y1 * z1 << 1) % p
    y3 = (alpha * ((beta << 2) - x3) - (gamma * gamma << 3)) % p
    return (x3, y3, z3)


def add(a: Jacobian, b: Jacobian) -> Jacobian:
    """a + b for any two points (handles the identity, a == b and a == -b)."""
    x1, y1, z1 = a
    x2, y2, z2 = b
    if z1 == 0:
        return b
    if z2 == 0:
        return a
    p = P
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    u2 = x2 * z1z1 % p
    s1 = y1 * z2 * z2z2 % p
    s2 = y2 * z1 * z1z1 % p
    h = (u2 - u1) % p
    r = (s2 - s1) % p
    if h == 0:
        return double(a) if r == 0 else IDENTITY
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    y3 = (r * (v - x3) - s1 * hhh) % p
    z3 = h * z1 * z2 % p
    return (x3, y3, z3)


def add_affine(a: Jacobian, x2: int, y2: int) -> Jacobian:
    """a + (x2, y2) where the second point is affine and not the identity."""
    x1, y1, z1 = a
    if z1 == 0:
        return (x2, y2, 1)
    p = P
    z1z1 = z1 * z1 % p
    u2 = x2 * z1z1 % p
    s2 = y2 * z1 * z1z1 % p
    h = (u2 - x1) % p
    r = (s2 - y1) % p
    if h == 0:
        return double(a) if r == 0 else IDENTITY
    hh = h * h % p
    hhh = h * hh % p
    v = x1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    y3 = (r * (v - x3) - y1 * hhh) % p
    return (x3, y3, h * z1 % p)


def negate(pt: Jacobian) -> Jacobian:
    return (pt[0], -pt[1] % P, pt[2])


def to_affine(pt: Jacobian) -> Affine | None:
    x, y, z = pt
    if z == 0:
        return None
    zi = pow(z, -1, P)
    zi2 = zi * zi % P
    return (x * zi2 % P, y * zi2 * zi % P)


def normalize_all(points: Sequence[Jacobian]) -> list[Affine]:
    """Affine forms of non-identity points with one field inversion (Montgomery's trick)."""
    p = P
    prefix = [1]
    for _, _, z in points:
        prefix.append(prefix[-1] * z % p)
    inv = pow(prefix[-1], -1, p)
    out: list[Affine] = [(0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z = points[i]
        zi = inv * prefix[i] % p
        inv = inv * z % p
        zi2 = zi * zi % p
        out[i] = (x * zi2 % p, y * zi2 * zi % p)
    return out


def is_identity(pt: Jacobian) -> bool:
    return pt[2] % P == 0


def encode(pt: Jacobian) -> bytes:
    """SEC1 compressed encoding (33 bytes); the identity has none."""
    aff = to_affine(pt)
    if aff is None:
        raise ValueError("the identity has no compressed encoding")
    x, y = aff
    return bytes([2 | (y & 1)]) + x.to_bytes(32, "big")


def decode(data: bytes) -> Jacobian | None:
    """A point from its 33-byte SEC1 compressed encoding; None if it is not one."""
    if len(data) != 33 or data[0] not in (2, 3):
        return None
    x = int.from_bytes(data[1:], "big")
    if x >= P:
        return None
    rhs = (x * x * x - 3 * x + B) % P
    y = pow(rhs, _SQRT_EXP, P)
    if y * y % P != rhs:
        return None
    if (y & 1) != (data[0] & 1):
        y = P - y
    return (x, y, 1)


def _wnaf(k: int, width: int) -> list[int]:
    digits: list[int] = []
    full = 1 << width
    half = full >> 1
    while k:
        if k & 1:
            d = k & (full - 1)
            if d >= half:
                d -= full
            k -= d
        else:
            d = 0
        digits.append(d)
        k >>= 1
    return digits


def _odd_multiples(pt: Jacobian, count: int) -> list[Affine]:
    twice = double(pt)
    table = [pt]
    for _ in range(count - 1):
        table.append(add(table[-1], twice))
    return normalize_all(table)


def multiply(pt: Jacobian, k: int) -> Jacobian:
    """k·pt for any point (variable base, width-5 wNAF)."""
    return multiply_two(k, pt, 0, IDENTITY)


def multiply_two(a: int, pa: Jacobian, b: int, pb: Jacobian) -> Jacobian:
    """a·pa + b·pb with shared doublings (Straus); scalars are reduced modulo N."""
    a %= N
    b %= N
    plans: list[tuple[list[int], list[Affine]]] = []
    for k, pt in ((a, pa), (b, pb)):
        if k and not is_identity(pt):
            plans.append((_wnaf(k, _WINDOW), _odd_multiples(pt, 1 << (_WINDOW - 2))))
    if not plans:
        return IDENTITY
    p = P
    x1, y1, z1 = IDENTITY
    for i in range(max(len(d) for d, _ in plans) - 1, -1, -1):
        if z1:  # inline doubling (dbl-2001-b); the identity doubles to itself
            delta = z1 * z1 % p
            gamma = y1 * y1 % p
            beta = x1 * gamma % p
            alpha = 3 * (x1 - delta) * (x1 + delta) % p
            x3 = (alpha * alpha - (beta << 3)) % p
            z1 = (y1 * z1 << 1) % p
            y1 = (alpha * ((beta << 2) - x3) - (gamma * gamma << 3)) % p
            x1 = x3
            if y1 == 0:
                z1 = 0
        for digits, table in plans:
            if i < len(digits):
                d = digits[i]
                if d > 0:
                    x, y = table[d >> 1]
                    x1, y1, z1 = add_affine((x1, y1, z1), x, y)
                elif d < 0:
                    x, y = table[(-d) >> 1]
                    x1, y1, z1 = add_affine((x1, y1, z1), x, p - y)
    return (x1, y1, z1)


class _BaseTable:
    """Signed radix-2⁸ comb for the generator: ``rows[i][j] = (j+1)·2^(8i)·G``, built lazily."""

    rows: list[list[Affine]] | None = None

    @classmethod
    def get(cls) -> list[list[Affine]]:
        if cls.rows is None:
            half = 1 << (_COMB - 1)
            jac: list[Jacobian] = []
            base = GENERATOR
            for _ in range(256 // _COMB + 1):
                acc = base
                jac.append(acc)
                for _ in range(half - 1):
                    acc = add(acc, base)
                    jac.append(acc)
                for _ in range(_COMB):
                    base = double(base)
            flat = normalize_all(jac)
            cls.rows = [flat[i : i + half] for i in range(0, len(flat), half)]
        return cls.rows


def multiply_base(k: int) -> Jacobian:
    """k·G using the precomputed table (no doublings)."""
    k %= N
    rows = _BaseTable.get()
    full = 1 << _COMB
    half = full >> 1
    acc = IDENTITY
    p = P
    i = 0
    while k:
        d = k & (full - 1)
        k >>= _COMB
        if d > half:
            d -= full
            k += 1
        if d > 0:
            x, y = rows[i][d - 1]
            acc = add_affine(acc, x, y)
        elif d < 0:
            x, y = rows[i][-d - 1]
            acc = add_affine(acc, x, p - y)
        i += 1
    return acc
