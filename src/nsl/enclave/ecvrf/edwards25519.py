"""edwards25519 arithmetic on Python integers: extended coordinates, RFC 8032 encoding.

Points are ``(X, Y, Z, T)`` with ``x = X/Z, y = Y/Z, x·y = T/Z``; the unified formulas are
complete, so no case needs special handling. Not constant time (see the package docstring).
"""

from __future__ import annotations

from collections.abc import Sequence

P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493  # order of the prime subgroup
D = -121665 * pow(121666, -1, P) % P
D2 = 2 * D % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
_GY = 4 * pow(5, -1, P) % P
_GX = 15112221349535400772501151409588531511454012693041857206046113283949847762202

Extended = tuple[int, int, int, int]
Niels = tuple[int, int, int]  # (y + x, y - x, 2·d·x·y) of an affine point

IDENTITY: Extended = (0, 1, 1, 0)
GENERATOR: Extended = (_GX, _GY, 1, _GX * _GY % P)
_WINDOW = 5
_COMB = 8


def double(pt: Extended) -> Extended:
    """2·pt (dbl-2008-hwcd, a = -1)."""
    x1, y1, z1, _ = pt
    p = P
    a = x1 * x1 % p
    b = y1 * y1 % p
    c = 2 * z1 * z1 % p
    h = a + b
    e = (h - (x1 + y1) * (x1 + y1)) % p
    g = a - b
    f = (c + g) % p
    return (e * f % p, g * h % p, f * g % p, e * h % p)


def add(a: Extended, b: Extended) -> Extended:
    """a + b (add-2008-hwcd-3, complete)."""
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    p = P
    aa = (y1 - x1) * (y2 - x2) % p
    bb = (y1 + x1) * (y2 + x2) % p
    cc = t1 * D2 * t2 % p
    dd = 2 * z1 * z2 % p
    e = bb - aa
    f = dd - cc
    g = dd + cc
    h = bb + aa
    return (e * f % p, g * h % p, f * g % p, e * h % p)


def add_niels(a: Extended, ypx: int, ymx: int, xy2d: int) -> Extended:
    """a + an affine point given in Niels form."""
    x1, y1, z1, t1 = a
    p = P
    aa = (y1 - x1) * ymx % p
    bb = (y1 + x1) * ypx % p
    cc = t1 * xy2d % p
    dd = 2 * z1
    e = bb - aa
    f = dd - cc
    g = dd + cc
    h = bb + aa
    return (e * f % p, g * h % p, f * g % p, e * h % p)


def negate(pt: Extended) -> Extended:
    x, y, z, t = pt
    return (-x % P, y, z, -t % P)


def is_identity(pt: Extended) -> bool:
    x, y, z, _ = pt
    return x % P == 0 and (y - z) % P == 0


def mul_by_cofactor(pt: Extended) -> Extended:
    return double(double(double(pt)))


def to_niels_all(points: Sequence[Extended]) -> list[Niels]:
    """Niels forms of the points with one field inversion (Montgomery's trick)."""
    p = P
    prefix = [1]
    for pt in points:
        prefix.append(prefix[-1] * pt[2] % p)
    inv = pow(prefix[-1], -1, p)
    out: list[Niels] = [(0, 0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z, _ = points[i]
        zi = inv * prefix[i] % p
        inv = inv * z % p
        ax = x * zi % p
        ay = y * zi % p
        out[i] = ((ay + ax) % p, (ay - ax) % p, D2 * ax * ay % p)
    return out


def encode(pt: Extended) -> bytes:
    """RFC 8032 §5.1.2: y little-endian with the sign of x in the top bit."""
    x, y, z, _ = pt
    zi = pow(z, -1, P)
    ax = x * zi % P
    ay = y * zi % P
    return (ay | ((ax & 1) << 255)).to_bytes(32, "little")


def decode(data: bytes) -> Extended | None:
    """RFC 8032 §5.1.3 decoding; None for anything that is not a canonical point encoding."""
    if len(data) != 32:
        return None
    raw = int.from_bytes(data, "little")
    sign = raw >> 255
    y = raw & ((1 << 255) - 1)
    if y >= P:
        return None
    p = P
    u = (y * y - 1) % p
    v = (D * y * y + 1) % p
    v3 = v * v * v % p
    x = u * v3 * pow(u * v3 * v3 * v % p, (p - 5) // 8, p) % p
    vxx = v * x * x % p
    if vxx == u:
        pass
    elif vxx == (-u) % p:
        x = x * SQRT_M1 % p
    else:
        return None
    if x == 0 and sign == 1:
        return None
    if (x & 1) != sign:
        x = p - x
    return (x, y, 1, x * y % p)


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


def _odd_multiples(pt: Extended, count: int) -> list[Niels]:
    twice = double(pt)
    table = [pt]
    for _ in range(count - 1):
        table.append(add(table[-1], twice))
    return to_niels_all(table)


def multiply(pt: Extended, k: int) -> Extended:
    """k·pt for any point, k ≥ 0 not reduced (the point may lie outside the prime subgroup)."""
    return multiply_two(k, pt, 0, IDENTITY)


def multiply_two(a: int, pa: Extended, b: int, pb: Extended) -> Extended:
    """a·pa + b·pb with shared doublings (Straus); a, b ≥ 0."""
    plans: list[tuple[list[int], list[Niels]]] = []
    for k, pt in ((a, pa), (b, pb)):
        if k:
            plans.append((_wnaf(k, _WINDOW), _odd_multiples(pt, 1 << (_WINDOW - 2))))
    if not plans:
        return IDENTITY
    p = P
    x1, y1, z1 = 0, 1, 1
    for i in range(max(len(d) for d, _ in plans) - 1, -1, -1):
        # inline projective doubling (dbl-2008-hwcd); T is formed only before an addition
        a = x1 * x1 % p
        b = y1 * y1 % p
        e = (a + b - (x1 + y1) * (x1 + y1)) % p
        g = a - b
        f = ((z1 * z1 << 1) + g) % p
        h = a + b
        x1 = e * f % p
        y1 = g * h % p
        z1 = f * g % p
        for digits, table in plans:
            if i < len(digits):
                d = digits[i]
                if d:
                    if d > 0:
                        ypx, ymx, xy2d = table[d >> 1]
                    else:
                        ymx, ypx, xy2d = table[(-d) >> 1]
                        xy2d = p - xy2d
                    t1 = e * h % p
                    aa = (y1 - x1) * ymx % p
                    bb = (y1 + x1) * ypx % p
                    cc = t1 * xy2d % p
                    dd = z1 << 1
                    e = bb - aa
                    f = dd - cc
                    g = dd + cc
                    h = bb + aa
                    x1 = e * f % p
                    y1 = g * h % p
                    z1 = f * g % p
    return (x1, y1, z1, e * h % p)


class _BaseTable:
    """Signed radix-2⁸ comb for the generator: ``rows[i][j] = (j+1)·2^(8i)·B``, built lazily."""

    rows: list[list[Niels]] | None = None

    @classmethod
    def get(cls) -> list[list[Niels]]:
        if cls.rows is None:
            half = 1 << (_COMB - 1)
            ext: list[Extended] = []
            base = GENERATOR
            for _ in range(256 // _COMB):
                acc = base
                ext.append(acc)
                for _ in range(half - 1):
                    acc = add(acc, base)
                    ext.append(acc)
                for _ in range(_COMB):
                    base = double(base)
            flat = to_niels_all(ext)
            cls.rows = [flat[i : i + half] for i in range(0, len(flat), half)]
        return cls.rows


def multiply_base(k: int) -> Extended:
    """k·B using the precomputed table (no doublings); k is reduced modulo Q."""
    k %= Q
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
            ypx, ymx, xy2d = rows[i][d - 1]
            acc = add_niels(acc, ypx, ymx, xy2d)
        elif d < 0:
            ypx, ymx, xy2d = rows[i][-d - 1]
            acc = add_niels(acc, ymx, ypx, p - xy2d)
        i += 1
    return acc
