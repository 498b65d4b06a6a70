"""Rates and quantiles from two readings of counters and histograms (Prometheus semantics)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def increase(previous: float | None, current: float) -> float:
    """A counter's growth between readings; a drop means it restarted from zero."""
    if previous is None or current < previous:
        return current
    return current - previous


def bucket_increase(
    previous: Mapping[float, float] | None, current: Mapping[float, float]
) -> list[tuple[float, float]]:
    """Per upper bound, how many observations the cumulative buckets gained, sorted by bound."""
    before = previous or {}
    return [(bound, increase(before.get(bound), count)) for bound, count in sorted(current.items())]


def histogram_quantile(q: float, buckets: Sequence[tuple[float, float]]) -> float | None:
    """The ``q``-quantile of cumulative ``(upper bound, count)`` buckets ending with ``+Inf``.

    Linear interpolation inside the bucket holding the rank, like PromQL's
    ``histogram_quantile``; ``None`` when there is no observation to rank.
    """
    if not 0 <= q <= 1:
        raise ValueError("q must be within [0, 1]")
    if not buckets or not math.isinf(buckets[-1][0]):
        return None
    counts = _monotonic([count for _, count in buckets])
    total = counts[-1]
    if total <= 0:
        return None
    rank = q * total
    lower, below = 0.0, 0.0
    for index, (bound, count) in enumerate(zip((b for b, _ in buckets), counts, strict=True)):
        if count >= rank and count > 0:
            if math.isinf(bound):
                # beyond the last finite bound: that bound is all we know
                return buckets[index - 1][0] if index > 0 else None
            if index == 0 and bound <= 0:
                return bound
            return lower + (bound - lower) * (rank - below) / (count - below)
        lower, below = bound, count
    return None


def _monotonic(counts: list[float]) -> list[float]:
    """Cumulative counts read without a lock can dip by a racing observation: smooth them out."""
    fixed: list[float] = []
    highest = 0.0
    for count in counts:
        highest = max(highest, count)
        fixed.append(highest)
    return fixed
