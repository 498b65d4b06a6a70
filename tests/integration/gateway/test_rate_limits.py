"""Sliding-window rate limits: 429 with headers, exemptions, and one budget across processes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from tests.integration.gateway.conftest import Gateway, make_settings

from nsl.core.settings import Settings


async def test_150_rapid_requests_draw_429s_with_headers(gateway: Gateway) -> None:
    statuses = []
    last = None
    for _ in range(150):
        last = await gateway.http.get("/api/info")
        statuses.append(last.status_code)
    assert statuses.count(429) > 0
    assert statuses[0] == 200
    assert last is not None and last.status_code == 429
    assert int(last.headers["retry-after"]) >= 1
    assert last.headers["x-ratelimit-limit"] == str(gateway.settings.rate_limit.per_ip.read)
    assert last.headers["x-ratelimit-remaining"] == "0"
    assert last.json()["code"] == "rate_limit.exceeded"
    metrics = (await gateway.http.get("/metrics")).text
    assert 'nsl_ratelimit_rejections_total{route_class="read",scope="ip"}' in metrics


async def test_health_and_metrics_are_exempt(gateway: Gateway) -> None:
    for _ in range(gateway.settings.rate_limit.per_ip.read + 5):
        assert (await gateway.http.get("/health/live")).status_code == 200
    assert (await gateway.http.get("/metrics")).status_code == 200


async def test_successful_responses_carry_rate_headers(gateway: Gateway) -> None:
    response = await gateway.http.get("/api/info")
    assert (
        int(response.headers["x-ratelimit-remaining"])
        == gateway.settings.rate_limit.per_ip.read - 1
    )


async def test_two_processes_sharing_redis_share_one_budget(
    tmp_path: Path, redis_url: str, fresh_postgres_url: str
) -> None:
    prefix = f"nsltest:{uuid.uuid4().hex[:8]}:"
    common = {
        "database": {"url": fresh_postgres_url},
        "redis": {"url": redis_url, "key_prefix": prefix},
        "rate_limit": {"per_ip": {"read": 20}},
        "enclave": {"master_key": "33" * 32},  # processes sharing a database share this key
    }
    first = make_settings(tmp_path / "a", **common)
    second = make_settings(tmp_path / "b", **common)
    async with Gateway(first) as a, Gateway(second) as b:
        for _ in range(10):
            assert (await a.http.get("/api/info")).status_code == 200
        for _ in range(10):
            assert (await b.http.get("/api/info")).status_code == 200
        assert (await a.http.get("/api/info")).status_code == 429
        assert (await b.http.get("/api/info")).status_code == 429


async def test_limits_can_be_switched_off(stack_settings: Callable[..., Settings]) -> None:
    async with Gateway(stack_settings(rate_limit={"enabled": False})) as gw:
        for _ in range(gw.settings.rate_limit.per_ip.read + 5):
            assert (await gw.http.get("/api/info")).status_code == 200
