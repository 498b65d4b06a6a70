"""Retry delays grow exponentially with jitter, are capped, and give-up follows the limits."""

from __future__ import annotations

import pytest

from nsl.services.events.backoff import give_up, retry_delay


@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 2.0), (2, 4.0), (3, 8.0), (6, 64.0)])
def test_delay_doubles_per_attempt_within_the_upper_half(attempt: int, ceiling: float) -> None:
    assert retry_delay(attempt, 2.0, 1000.0, rand=lambda: 0.0) == ceiling / 2
    assert retry_delay(attempt, 2.0, 1000.0, rand=lambda: 0.999999) == pytest.approx(ceiling)


def test_delay_is_capped_even_for_huge_attempt_numbers() -> None:
    assert retry_delay(10_000, 2.0, 60.0, rand=lambda: 1.0) == 60.0
    assert retry_delay(10_000, 2.0, 60.0, rand=lambda: 0.0) == 30.0


def test_jitter_spreads_delays() -> None:
    values = {retry_delay(4, 1.0, 100.0) for _ in range(50)}
    assert len(values) > 40 and all(4.0 <= v <= 8.0 for v in values)


def test_attempt_numbers_start_at_one() -> None:
    with pytest.raises(ValueError):
        retry_delay(0, 1.0, 10.0)


def test_give_up_after_the_attempts_or_the_age_allowed() -> None:
    assert not give_up(attempts=2, max_attempts=3, age_s=10, max_age_s=100)
    assert give_up(attempts=3, max_attempts=3, age_s=10, max_age_s=100)
    assert give_up(attempts=1, max_attempts=3, age_s=100, max_age_s=100)
