"""Health, readiness, info and metrics on both stacks."""

from __future__ import annotations

from tests.integration.gateway.conftest import Gateway


async def test_health_reports_every_check_and_backend(gateway: Gateway) -> None:
    response = await gateway.http.get("/health")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] in {"ok", "degraded"}
    assert set(body["services"]) >= {"platform", "auth", "configuration"}
    expected_db = "postgresql" if gateway.settings.database.url else "sqlite"
    assert body["backends"]["database"] == expected_db
    assert body["backends"]["cache"] == ("redis" if gateway.settings.redis.url else "memory")
    assert body["backends"]["bus"] == ("rabbitmq" if gateway.settings.rabbitmq.url else "memory")
    names = {c["name"] for c in body["services"]["platform"]["checks"]}
    assert "database" in names


async def test_ready_and_live(gateway: Gateway) -> None:
    assert (await gateway.http.get("/health/live")).status_code == 200
    ready = await gateway.http.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_ready_is_503_while_a_service_is_down(gateway: Gateway) -> None:
    await gateway.runtime.services["configuration"].stop()
    response = await gateway.http.get("/health/ready")
    assert response.status_code == 503
    assert "configuration" in response.json()["down"]


async def test_info_names_the_api_and_enabled_services(gateway: Gateway) -> None:
    for path in ("/api/info", "/info"):
        body = (await gateway.http.get(path)).json()
        assert body["service"] == "Neo Service Layer API"
        assert body["environment"] == "test"
        assert {"name": "configuration", "phase": 1, "phase_name": "core"}.items() <= next(
            s for s in body["services"] if s["name"] == "configuration"
        ).items()


async def test_metrics_exposes_the_required_families(gateway: Gateway) -> None:
    await gateway.http.get("/api/v1/configuration/some.key", headers=gateway.admin())
    text = (await gateway.http.get("/metrics")).text
    families = {line.split()[2] for line in text.splitlines() if line.startswith("# HELP")}
    assert len(families) >= 10
    assert not any(name.endswith("_created") for name in families)
    for family in (
        "nsl_http_requests_total",
        "nsl_http_request_duration_seconds",
        "nsl_http_requests_in_flight",
        "nsl_service_operations_total",
        "nsl_uptime_seconds",
        "nsl_build_info",
        "nsl_cache_hits_total",
        "nsl_cache_misses_total",
        "nsl_bus_published_total",
        "nsl_bus_consumed_total",
        "nsl_outbox_backlog_events",
        "nsl_ratelimit_rejections_total",
    ):
        assert family in families, family
    assert 'route="/api/v1/configuration/{key:path}"' in text
    assert "some.key" not in text


async def test_latency_histogram_records_the_request_duration_not_the_uptime(
    gateway: Gateway,
) -> None:
    for _ in range(3):
        await gateway.http.get("/api/info")
    text = (await gateway.http.get("/metrics")).text
    prefix = 'nsl_http_request_duration_seconds_sum{method="GET",route="/api/info"}'
    total = next(float(line.split()[-1]) for line in text.splitlines() if line.startswith(prefix))
    assert 0 < total < 3.0  # three in-process calls; a wrong start time gives the clock's epoch
