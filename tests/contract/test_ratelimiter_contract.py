"""One sliding-window behaviour for every rate limiter (in-process and Redis)."""

from __future__ import annotations

import pytest
from tests.contract.cases import LimiterCase

from nsl.adapters.ratelimit_redis import RedisRateLimiter
from nsl.core.errors import Unavailable
from nsl.core.health import Status


async def test_allows_up_to_the_limit_then_refuses(limiter_case: LimiterCase) -> None:
    limiter = limiter_case.make()
    started = await limiter_case.now()
    decisions = [await limiter.hit("ip:1", 3, 60) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert all(d.limit == 3 for d in decisions)
    assert [d.retry_after_s for d in decisions[:3]] == [0, 0, 0]
    assert 59 <= decisions[3].retry_after_s <= 60
    assert decisions[3].reset_at == pytest.approx(started + 60, abs=2)


async def test_keys_have_separate_budgets(limiter_case: LimiterCase) -> None:
    limiter = limiter_case.make()
    assert (await limiter.hit("a", 1, 60)).allowed
    assert not (await limiter.hit("a", 1, 60)).allowed
    assert (await limiter.hit("b", 1, 60)).allowed


async def test_the_budget_returns_once_the_window_has_passed(limiter_case: LimiterCase) -> None:
    limiter = limiter_case.make()
    assert (await limiter.hit("k", 1, 1)).allowed
    assert not (await limiter.hit("k", 1, 1)).allowed
    await limiter_case.pass_time(1.0)
    decision = await limiter.hit("k", 1, 1)
    assert decision.allowed
    assert decision.remaining == 0


async def test_the_window_slides_instead_of_resetting(limiter_case: LimiterCase) -> None:
    limiter = limiter_case.make()
    assert (await limiter.hit("k", 2, 2)).allowed  # t = 0
    await limiter_case.pass_time(1.0)
    assert (await limiter.hit("k", 2, 2)).allowed  # t = 1
    assert not (await limiter.hit("k", 2, 2)).allowed
    await limiter_case.pass_time(1.0)  # t = 2: only the first hit has left the window
    assert (await limiter.hit("k", 2, 2)).allowed
    assert not (await limiter.hit("k", 2, 2)).allowed


async def test_refused_hits_do_not_use_up_the_budget(limiter_case: LimiterCase) -> None:
    limiter = limiter_case.make()
    assert (await limiter.hit("k", 1, 1)).allowed
    for _ in range(5):
        assert not (await limiter.hit("k", 1, 1)).allowed
    await limiter_case.pass_time(1.0)
    assert (await limiter.hit("k", 1, 1)).allowed


async def test_two_limiters_on_one_backend_share_the_budget(limiter_case: LimiterCase) -> None:
    first, second = limiter_case.make(), limiter_case.make()
    outcomes = []
    for i in range(6):
        limiter = first if i % 2 == 0 else second
        outcomes.append((await limiter.hit("shared", 4, 60)).allowed)
    assert outcomes == [True, True, True, True, False, False]


async def test_invalid_limits_are_refused(limiter_case: LimiterCase) -> None:
    limiter = limiter_case.make()
    with pytest.raises(ValueError):
        await limiter.hit("k", 0, 60)
    with pytest.raises(ValueError):
        await limiter.hit("k", 1, 0)


async def test_health_names_the_backend(limiter_case: LimiterCase) -> None:
    limiter = limiter_case.make()
    check = await limiter.health()
    assert check.status is Status.OK
    assert check.backend == limiter.backend


async def test_redis_limiter_without_redis_raises_unavailable_and_reports_down() -> None:
    limiter = RedisRateLimiter("redis://:secret-pw@127.0.0.1:1/0", "nsltest:down:", timeout_s=0.5)
    try:
        with pytest.raises(Unavailable) as caught:
            await limiter.hit("k", 5, 60)
        assert caught.value.code == "ratelimit.unavailable"
        assert "secret-pw" not in caught.value.detail
        check = await limiter.health()
        assert (check.status, check.backend) == (Status.DOWN, "redis")
    finally:
        await limiter.close()
