"""Secrets through the real gateway (API keys, problem+json) with the typed client, on the
embedded stack and the networked one (PostgreSQL, Redis, RabbitMQ)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from tests.integration.gateway.conftest import Gateway, stack_settings  # noqa: F401 (fixture)

from nsl.client import AsyncClient
from nsl.client.errors import ApiError
from nsl.core.settings import Settings

VALUE = "gateway-secret-value-5521"


@pytest.fixture
async def gateway(stack_settings: Callable[..., Settings]) -> AsyncIterator[Gateway]:  # noqa: F811
    async with Gateway(stack_settings()) as gw:
        yield gw


async def client_for(gw: Gateway, name: str, roles: list[str]) -> AsyncClient:
    """A client with a new API key of a new principal."""
    admin = AsyncClient("http://gateway.test", api_key=gw.admin()["X-API-Key"], transport=_t(gw))
    async with admin:
        created = await admin.create_principal(name, roles=roles)
        key = await admin.create_key(f"{name}-key", principal_id=created["id"])
    return AsyncClient("http://gateway.test", api_key=key["key"], transport=_t(gw))


def _t(gw: Gateway) -> httpx.AsyncBaseTransport:
    return httpx.ASGITransport(app=gw.app, client=("203.0.113.9", 5000))


async def expect_error(call: object, status: int, code: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await call  # type: ignore[misc]
    assert (caught.value.status, caught.value.code) == (status, code), caught.value
    return caught.value


async def test_the_secret_lifecycle_through_the_client(gateway: Gateway) -> None:
    alice = await client_for(gateway, "alice", ["user"])
    bob = await client_for(gateway, "bob", ["developer"])
    async with alice, bob:
        written = await alice.write_secret("app/db", {"password": VALUE}, cas=0)
        assert written["version"] == 1
        await expect_error(
            alice.write_secret("app/db", {"x": 1}, cas=0), 409, "secrets.cas_mismatch"
        )
        assert (await alice.write_secret("app/db", {"password": "v2"}, cas=1))["version"] == 2
        assert (await alice.read_secret("app/db"))["data"] == {"password": "v2"}
        assert (await alice.read_secret("app/db", version=1))["data"] == {"password": VALUE}

        await expect_error(bob.read_secret("app/db"), 404, "secrets.not_found")
        assert (await bob.list_secrets())["items"] == []

        await alice.delete_secret("app/db", versions=[1])
        await expect_error(alice.read_secret("app/db", version=1), 404, "secrets.version_deleted")
        assert (await alice.undelete_secret("app/db", [1]))["versions"] == [1]
        assert (await alice.destroy_secret("app/db", [1]))["versions"] == [1]
        await expect_error(alice.read_secret("app/db", version=1), 404, "secrets.version_destroyed")

        meta = await alice.set_secret_metadata("app/db", custom_metadata={"team": "a"})
        assert meta["custom_metadata"] == {"team": "a"}
        assert [v["destroyed"] for v in (await alice.secret_metadata("app/db"))["versions"]] == [
            True,
            False,
        ]
        listed = await alice.list_secrets(prefix="app/")
        assert [i["path"] for i in listed["items"]] == ["app/db"] and listed["total"] == 1
        await alice.delete_secret_metadata("app/db")
        await expect_error(alice.secret_metadata("app/db"), 404, "secrets.not_found")


async def test_policies_through_the_client(gateway: Gateway) -> None:
    alice = await client_for(gateway, "alice", ["user"])
    bob = await client_for(gateway, "bob", ["developer"])
    admin = AsyncClient(
        "http://gateway.test", api_key=gateway.admin()["X-API-Key"], transport=_t(gateway)
    )
    async with alice, bob, admin:
        await alice.write_secret("shared/db", {"password": VALUE})
        await expect_error(bob.read_secret("shared/db"), 404, "secrets.not_found")
        policy = await admin.create_secret_policy("shared/**", "role:developer", ["read", "list"])
        assert (await bob.read_secret("shared/db"))["data"] == {"password": VALUE}
        assert [i["path"] for i in (await bob.list_secrets())["items"]] == ["shared/db"]
        await expect_error(bob.write_secret("shared/db", {"x": 1}), 403, "secrets.forbidden")
        assert [p["id"] for p in (await admin.list_secret_policies())["items"]] == [policy["id"]]
        await expect_error(
            bob.create_secret_policy("**", "role:developer", ["read"]), 403, "auth.role_required"
        )
        await admin.delete_secret_policy(policy["id"])
        await expect_error(bob.read_secret("shared/db"), 404, "secrets.not_found")


async def test_bad_input_is_problem_json_naming_the_field(gateway: Gateway) -> None:
    alice = await client_for(gateway, "alice", ["user"])
    async with alice:
        error = await expect_error(
            alice.write_secret("app/_x", {"k": "v"}), 400, "secrets.invalid_path"
        )
        assert [(f.field, f.rule) for f in error.fields] == [("path", "reserved_segment")]
        error = await expect_error(alice.write_secret("app/db", "text"), 422, "request.invalid")  # type: ignore[arg-type]
        assert [f.field for f in error.fields] == ["data"]
    raw = await gateway.http.get(
        "/api/v1/secrets/app/db", params={"version": "x"}, headers=gateway.admin()
    )
    assert raw.status_code == 400
    assert raw.headers["content-type"] == "application/problem+json"
    assert raw.json()["errors"][0]["field"] == "version"


async def test_the_service_reports_health_and_metrics(gateway: Gateway) -> None:
    health = (await gateway.http.get("/health")).json()
    assert "secrets" in str(health)
    alice = await client_for(gateway, "alice", ["user"])
    async with alice:
        await alice.write_secret("app/db", {"k": "v"})
    metrics = (await gateway.http.get("/metrics")).text
    assert (
        'nsl_service_operations_total{operation="write",outcome="ok",service="secrets"}' in metrics
    )
    assert "nsl_secrets_rotation_due_secrets" in metrics
