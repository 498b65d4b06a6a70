"""Feature flags and the deploy API in one process: flags take effect without a restart, are
kept in the database, and bad requests are refused with the field and the rule."""

from __future__ import annotations

from collections.abc import Callable

from tests.integration.gateway.conftest import Gateway

from nsl.core.settings import Settings
from nsl.runtime.rollout.state import Upstream


async def _developer(gw: Gateway) -> dict[str, str]:
    principal = await gw.http.post(
        "/api/v1/auth/principals", json={"name": "dev", "roles": ["developer"]}, headers=gw.admin()
    )
    key = await gw.http.post(
        "/api/v1/auth/keys",
        json={"name": "dev", "principal_id": principal.json()["id"]},
        headers=gw.admin(),
    )
    return {"X-API-Key": key.json()["key"]}


async def test_a_flag_turns_a_service_off_and_on_without_touching_the_others(
    gateway: Gateway,
) -> None:
    off = await gateway.http.put(
        "/api/v1/deploy/flags/secrets", json={"enabled": False}, headers=gateway.admin()
    )
    assert off.status_code == 200 and off.json()["enabled"] is False
    refused = await gateway.http.get("/api/v1/secrets", headers=gateway.admin())
    assert refused.status_code == 503
    assert refused.json()["code"] == "service.disabled"
    assert (await gateway.http.get("/api/v1/keys", headers=gateway.admin())).status_code == 200
    secrets = gateway.runtime.services["secrets"]
    assert secrets.paused is True
    assert (await secrets.health()).status.value == "ok"  # off on purpose is not "down"
    assert (await gateway.http.get("/health/ready")).status_code == 200

    on = await gateway.http.put(
        "/api/v1/deploy/flags/secrets", json={"enabled": True}, headers=gateway.admin()
    )
    assert on.json()["enabled"] is True
    assert (await gateway.http.get("/api/v1/secrets", headers=gateway.admin())).status_code == 200
    assert secrets.paused is False


async def test_a_flag_outlives_the_process(stack_settings: Callable[..., Settings]) -> None:
    settings = stack_settings()
    async with Gateway(settings) as first:
        await first.http.put(
            "/api/v1/deploy/flags/randomness", json={"enabled": False}, headers=first.admin()
        )
    async with Gateway(settings) as second:
        response = await second.http.get("/api/v1/randomness/x", headers=second.admin())
        assert response.status_code == 503
        status = await second.http.get("/api/v1/deploy/status", headers=second.admin())
        by_name = {s["name"]: s for s in status.json()["services"]}
        assert by_name["randomness"]["enabled"] is False
        assert by_name["keys"]["mode"] == "in-process"


async def test_flag_changes_are_refused_with_the_reason(gateway: Gateway) -> None:
    required = await gateway.http.put(
        "/api/v1/deploy/flags/auth", json={"enabled": False}, headers=gateway.admin()
    )
    assert required.status_code == 422
    assert required.json()["errors"][0]["field"] == "service"
    unknown = await gateway.http.put(
        "/api/v1/deploy/flags/nope", json={"enabled": False}, headers=gateway.admin()
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "deploy.unknown_service"
    malformed = await gateway.http.put(
        "/api/v1/deploy/flags/keys", json={"enabled": "maybe"}, headers=gateway.admin()
    )
    assert malformed.status_code == 422
    developer = await _developer(gateway)
    forbidden = await gateway.http.put(
        "/api/v1/deploy/flags/keys", json={"enabled": False}, headers=developer
    )
    assert forbidden.status_code == 403
    assert (await gateway.http.get("/api/v1/deploy/status", headers=developer)).status_code == 403
    assert (await gateway.http.get("/api/v1/keys", headers=gateway.admin())).status_code == 200


async def test_rollback_needs_a_standby_that_answers(gateway: Gateway) -> None:
    none = await gateway.http.post("/api/v1/deploy/keys/rollback", headers=gateway.admin())
    assert none.status_code == 409 and none.json()["code"] == "deploy.no_standby"

    repository = gateway.runtime.rollout.repository
    await repository.set_upstream(
        "events", "blue", Upstream("http://127.0.0.1:9", "0.0.1"), activate=True
    )
    await repository.set_upstream(
        "events", "green", Upstream("http://127.0.0.1:9", "0.0.2"), activate=False
    )
    dead = await gateway.http.post("/api/v1/deploy/events/rollback", headers=gateway.admin())
    assert dead.status_code == 409 and dead.json()["code"] == "deploy.standby_not_ready"
    snapshot = await repository.snapshot()
    assert snapshot.routes["events"].active == "blue"


async def test_a_route_to_a_dead_upstream_answers_503(
    stack_settings: Callable[..., Settings],
) -> None:
    # events runs elsewhere: not in this process, routed to a port where nothing listens
    async with Gateway(stack_settings(services={"events": {"enabled": False}})) as gw:
        await gw.runtime.rollout.repository.set_upstream(
            "events", "blue", Upstream("http://127.0.0.1:9", "0.0.1"), activate=True
        )
        await gw.runtime.rollout.poll()
        response = await gw.http.get("/api/v1/events/subscriptions", headers=gw.admin())
        assert response.status_code == 503
        assert response.json()["code"] == "gateway.upstream_unavailable"
        status = await gw.http.get("/api/v1/deploy/status", headers=gw.admin())
        events = next(s for s in status.json()["services"] if s["name"] == "events")
        assert (events["mode"], events["health"]) == ("proxied", "down")
