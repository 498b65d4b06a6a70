"""Pure aggregation of source answers: outlier rejection by median absolute deviation, the
anti-manipulation checks, then median, trimmed mean or weighted median (all ``Decimal``).

A result is either an :class:`Observation` (value, confidence interval, sources used and
excluded with reasons) or a :class:`Refusal` naming why no value may be published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

MAD_SCALE = Decimal("1.4826")  # MAD -> standard deviation for normally distributed answers
MAD_FLOOR = Decimal("0.0005")  # relative: identical honest answers still leave some room
TRIM = Decimal("0.2")


@dataclass(frozen=True)
class Answer:
    source: str
    value: Decimal | None
    weight: Decimal = Decimal(1)
    reason: str | None = None  # why there is no value (timeout, not_json, ...)


@dataclass(frozen=True)
class Bounds:
    min_sources: int
    mad_k: Decimal
    max_spread: Decimal
    max_single_source_shift: Decimal


@dataclass(frozen=True)
class Observation:
    value: Decimal
    low: Decimal
    high: Decimal
    used: list[dict[str, str]]
    excluded: list[dict[str, str]]


@dataclass(frozen=True)
class Refusal:
    reason: str  # min_sources | spread | single_source
    detail: str
    used: list[dict[str, str]] = field(default_factory=list)
    excluded: list[dict[str, str]] = field(default_factory=list)


def median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def weighted_median(pairs: list[tuple[Decimal, Decimal]]) -> Decimal:
    """The smallest value whose cumulative weight reaches half the total weight."""
    ordered = sorted(pairs)
    half = sum(w for _, w in ordered) / 2
    running = Decimal(0)
    for value, weight in ordered:
        running += weight
        if running >= half:
            return value
    return ordered[-1][0]  # pragma: no cover - weights are positive


def trimmed_mean(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    cut = int(len(ordered) * TRIM)
    kept = ordered[cut : len(ordered) - cut] if cut else ordered
    return sum(kept, Decimal(0)) / len(kept)


def _shift(a: Decimal, b: Decimal) -> Decimal:
    return abs(a - b) / abs(b) if b else abs(a - b)


def aggregate(answers: list[Answer], method: str, bounds: Bounds) -> Observation | Refusal:
    excluded = [
        {"source": a.source, "reason": a.reason or "no_value"} for a in answers if a.value is None
    ]
    valued = [a for a in answers if a.value is not None]
    if not valued:
        return Refusal("min_sources", f"0 of {bounds.min_sources} sources answered", [], excluded)
    center = median([a.value for a in valued if a.value is not None])
    mad = median([abs(a.value - center) for a in valued if a.value is not None])
    scale = max(MAD_SCALE * mad, abs(center) * MAD_FLOOR)
    kept: list[Answer] = []
    for a in valued:
        assert a.value is not None
        if abs(a.value - center) > bounds.mad_k * scale:
            excluded.append({"source": a.source, "reason": "outlier", "value": str(a.value)})
        else:
            kept.append(a)
    used = [{"source": a.source, "value": str(a.value)} for a in kept]
    if len(kept) < bounds.min_sources:
        detail = f"{len(kept)} usable sources, {bounds.min_sources} needed"
        return Refusal("min_sources", detail, used, excluded)
    values = [a.value for a in kept if a.value is not None]
    middle = median(values)
    spread = _shift(max(values), min(values)) if min(values) else max(values) - min(values)
    if spread > bounds.max_spread:
        return Refusal("spread", f"sources disagree by {spread:.6f}", used, excluded)
    for i in range(len(values)):
        if len(values) > 1:
            moved = _shift(median(values[:i] + values[i + 1 :]), middle)
            if moved > bounds.max_single_source_shift:
                detail = f"removing {kept[i].source} moves the median by {moved:.6f}"
                return Refusal("single_source", detail, used, excluded)
    if method == "trimmed_mean":
        value = trimmed_mean(values)
    elif method == "weighted_median":
        value = weighted_median([(a.value, a.weight) for a in kept if a.value is not None])
    else:
        value = middle
    return Observation(value, min(values), max(values), used, excluded)
