"""Rates and quantiles from counter and bucket increases, checked against exact figures."""

from __future__ import annotations

import bisect
import math
import random

import pytest

from nsl.gateway.dashboard.maths import bucket_increase, histogram_quantile, increase

INF = math.inf


def test_increase_is_the_difference_and_a_drop_is_a_restart() -> None:
    assert increase(10, 25) == 15
    assert increase(None, 7) == 7  # a series that appeared since the last reading
    assert increase(40, 3) == 3  # the counter restarted from zero


def test_bucket_increase_subtracts_per_bound_and_sorts() -> None:
    before = {0.1: 4, 1.0: 9, INF: 10}
    after = {INF: 25, 0.1: 10, 1.0: 20, 5.0: 1}
    assert bucket_increase(before, after) == [(0.1, 6), (1.0, 11), (5.0, 1), (INF, 15)]


def test_quantile_interpolates_inside_the_bucket_holding_the_rank() -> None:
    buckets = [(0.1, 10), (0.5, 30), (1.0, 40), (INF, 40)]
    # p50: rank 20 lies halfway through (0.1, 0.5]
    assert histogram_quantile(0.5, buckets) == pytest.approx(0.3)
    # p95: rank 38 is 8/10 of the way through (0.5, 1.0]
    assert histogram_quantile(0.95, buckets) == pytest.approx(0.9)
    # the lowest bucket starts at zero: rank 4 of its 10 is 0.4 of the way to 0.1
    assert histogram_quantile(0.1, buckets) == pytest.approx(0.04)


def test_rank_beyond_the_last_finite_bound_reports_that_bound() -> None:
    assert histogram_quantile(0.99, [(0.1, 1), (1.0, 2), (INF, 10)]) == 1.0


def test_no_observations_is_no_value_not_zero() -> None:
    assert histogram_quantile(0.5, [(0.1, 0), (1.0, 0), (INF, 0)]) is None
    assert histogram_quantile(0.5, []) is None


def test_counts_that_dip_from_a_racing_read_are_smoothed() -> None:
    # (0.5 -> 9) read before an observation landed in (0.1]: cumulative counts must not fall
    assert histogram_quantile(0.5, [(0.1, 10), (0.5, 9), (1.0, 20), (INF, 20)]) == pytest.approx(
        0.1
    )


def test_quantile_outside_zero_one_is_refused() -> None:
    with pytest.raises(ValueError):
        histogram_quantile(1.5, [(INF, 1)])


@pytest.mark.parametrize("q", [0.5, 0.9, 0.95, 0.99])
def test_estimate_falls_in_the_bucket_of_the_exact_quantile(q: float) -> None:
    rng = random.Random(7)
    bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]
    observations = sorted(rng.lognormvariate(-3.5, 1.2) for _ in range(5000))
    cumulative = [(b, sum(1 for o in observations if o <= b)) for b in bounds]
    cumulative.append((INF, len(observations)))
    exact = observations[math.ceil(q * len(observations)) - 1]
    index = bisect.bisect_left(bounds, exact)
    low = bounds[index - 1] if index > 0 else 0.0
    high = bounds[index]
    estimate = histogram_quantile(q, cumulative)
    assert estimate is not None
    assert low <= estimate <= high
