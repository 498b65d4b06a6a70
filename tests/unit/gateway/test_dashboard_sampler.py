"""The dashboard sampler on a real registry and a manual clock: rates, quantiles, panels."""

from __future__ import annotations

import pytest
from prometheus_client import Gauge, Histogram

from nsl.core.clock import ManualClock
from nsl.core.health import Check, Health, Status
from nsl.core.metrics import Metrics
from nsl.gateway.dashboard.alerts import LocalAlerts
from nsl.gateway.dashboard.sampler import Sampler


def _requests(metrics: Metrics, status: str, count: int, seconds: float) -> None:
    for _ in range(count):
        metrics.http_requests.labels("GET", "/api/v1/x", status).inc()
        metrics.http_latency.labels("GET", "/api/v1/x").observe(seconds)


def _line(sampler: Sampler, panel: str, label: str) -> list[list[float | None]]:
    found = next(p for p in sampler.panels() if p["id"] == panel)
    points: list[list[float | None]] = next(
        line["points"] for line in found["lines"] if line["label"] == label
    )
    return points


def test_first_reading_gives_no_point_then_rates_come_from_deltas(metrics: Metrics) -> None:
    clock = ManualClock()
    sampler = Sampler(metrics.registry, clock, interval_s=10, history_s=3600)
    _requests(metrics, "200", 50, 0.003)  # before the first reading: not in any interval
    assert sampler.take() is None
    _requests(metrics, "200", 20, 0.02)
    _requests(metrics, "503", 10, 0.2)
    clock.advance(10)
    point = sampler.take()
    assert point is not None
    assert point.requests_per_s == pytest.approx(3.0)
    assert point.errors_per_s == pytest.approx(1.0)
    # 20 fast (0.01, 0.025] and 10 slow (0.1, 0.25]: p50 ranks 15th of the 20 fast ones
    assert point.latency_p50 == pytest.approx(0.01 + 0.015 * 15 / 20)
    # p95 ranks 28.5th: 8.5 of the 10 slow ones
    assert point.latency_p95 == pytest.approx(0.1 + 0.15 * 8.5 / 10)
    assert point.t == clock.now().timestamp()


def test_a_quiet_interval_has_zero_rate_and_no_latency(metrics: Metrics) -> None:
    clock = ManualClock()
    sampler = Sampler(metrics.registry, clock, interval_s=5, history_s=3600)
    sampler.take()
    _requests(metrics, "200", 5, 0.004)
    clock.advance(5)
    sampler.take()
    clock.advance(5)
    quiet = sampler.take()
    assert quiet is not None
    assert quiet.requests_per_s == 0
    assert quiet.latency_p50 is None  # a gap in the graph, not a fake zero
    assert [v for _, v in _line(sampler, "requests", "all")] == [1.0, 0.0]
    assert _line(sampler, "latency", "p95")[1][1] is None


def test_history_keeps_only_the_configured_window(metrics: Metrics) -> None:
    clock = ManualClock()
    sampler = Sampler(metrics.registry, clock, interval_s=10, history_s=30)
    sampler.take()
    for n in range(1, 6):
        _requests(metrics, "200", n * 10, 0.001)
        clock.advance(10)
        sampler.take()
    rates = [v for _, v in _line(sampler, "requests", "all")]
    assert rates == [3.0, 4.0, 5.0]


def test_domain_panels_appear_only_when_their_families_exist(metrics: Metrics) -> None:
    clock = ManualClock()
    sampler = Sampler(metrics.registry, clock, interval_s=10, history_s=3600)
    sampler.take()
    assert [p["id"] for p in sampler.panels()] == ["requests", "latency"]

    ages = Gauge("nsl_oracle_feed_age_seconds", "age", ["feed"], registry=metrics.registry)
    lag = Histogram(
        "nsl_automation_lag_seconds",
        "lag",
        ["job"],
        buckets=(1, 5, 30),
        registry=metrics.registry,
    )
    clock.advance(10)
    sampler.take()
    assert [p["id"] for p in sampler.panels()] == ["requests", "latency", "oracle", "automation"]
    assert _line(sampler, "oracle", "max age")[-1][1] is None  # present, but no feed yet

    ages.labels("NEO/USD").set(4)
    ages.labels("GAS/USD").set(42)
    for seconds in (2, 2, 3, 20):
        lag.labels("j1").observe(seconds)
    clock.advance(10)
    sampler.take()
    assert _line(sampler, "oracle", "max age")[-1][1] == 42
    # four lags: 3 in (1, 5], 1 in (5, 30]; p50 ranks 2nd, 2/3 through (1, 5]
    assert _line(sampler, "automation", "p50")[-1][1] == pytest.approx(1 + 4 * 2 / 3)


async def test_the_periodic_task_body_takes_a_reading(metrics: Metrics) -> None:
    clock = ManualClock()
    sampler = Sampler(metrics.registry, clock, interval_s=1, history_s=60)
    await sampler.sample()
    _requests(metrics, "200", 3, 0.001)
    clock.advance(1)
    await sampler.sample()
    assert [v for _, v in _line(sampler, "requests", "all")] == [3.0]


def test_failing_checks_are_alerts_dated_from_when_first_seen() -> None:
    clock = ManualClock()
    local = LocalAlerts(clock)
    failing = {
        "platform": Health([Check("cache", Status.DEGRADED, "redis unreachable")]),
        "keys": Health([Check("keys", Status.OK)]),
    }
    first = local.evaluate(failing)
    assert [(a["name"], a["severity"], a["labels"]) for a in first] == [
        ("cache", "warning", {"service": "platform"})
    ]
    assert "redis unreachable" in first[0]["summary"]
    started = first[0]["started_at"]
    clock.advance(30)
    assert local.evaluate(failing)[0]["started_at"] == started  # still the same incident
    assert local.evaluate({"platform": Health([Check("cache", Status.OK)])}) == []
    clock.advance(30)
    down = local.evaluate({"platform": Health([Check("cache", Status.DOWN)])})
    assert down[0]["severity"] == "critical"
    assert down[0]["started_at"] == clock.now().isoformat()  # a new incident, a new start
