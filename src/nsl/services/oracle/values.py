"""Decimal values to on-chain integer answers and back, and the low median of integers."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

PRECISION = 120


def to_answer(value: Decimal, decimals: int) -> int:
    """round(value * 10**decimals), half to even, exactly."""
    with localcontext() as context:
        context.prec = PRECISION
        return int((value * (Decimal(10) ** decimals)).to_integral_value(ROUND_HALF_EVEN))


def to_value(answer: int, decimals: int) -> Decimal:
    with localcontext() as context:
        context.prec = PRECISION
        return Decimal(answer).scaleb(-decimals)


def low_median(values: list[int]) -> int:
    """The lower middle value: an actual observation, the same on every node."""
    return sorted(values)[(len(values) - 1) // 2]


def text(value: Decimal) -> str:
    """Plain decimal text (no exponent)."""
    return format(value, "f")
