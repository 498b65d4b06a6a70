"""When a failed notification is tried again, and when it is given up (dead-lettered)."""

from __future__ import annotations

import random
from collections.abc import Callable


def retry_delay(
    attempt: int, base_s: float, cap_s: float, rand: Callable[[], float] = random.random
) -> float:
    """Seconds before attempt ``attempt + 1``: ``base * 2**(attempt-1)`` capped at ``cap``,
    with equal jitter (uniform in the upper half)."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    ceiling = min(cap_s, base_s * 2.0 ** min(attempt - 1, 62))
    return ceiling / 2 + ceiling / 2 * rand()


def give_up(age_s: float, max_age_s: float) -> bool:
    """Whether a notification that just failed goes to the dead letters (its window is spent)."""
    return age_s >= max_age_s
