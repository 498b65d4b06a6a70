"""Storage through the real gateway (API keys, problem+json, the edge's body limits) with the
typed client, on the embedded stack and the networked one (PostgreSQL, Redis, RabbitMQ)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from tests.integration.gateway.conftest import Gateway, stack_settings  # noqa: F401 (fixture)

from nsl.client import AsyncClient
from nsl.client.errors import ApiError
from nsl.core.settings import Settings

MIB = 1024 * 1024


@pytest.fixture
async def gateway(stack_settings: Callable[..., Settings]) -> AsyncIterator[Gateway]:  # noqa: F811
    async with Gateway(stack_settings(only_services=["storage"])) as gw:
        yield gw


def _t(gw: Gateway) -> httpx.AsyncBaseTransport:
    return httpx.ASGITransport(app=gw.app, client=("203.0.113.9", 5000))


async def client_for(gw: Gateway, name: str) -> tuple[AsyncClient, str]:
    admin = AsyncClient("http://gateway.test", api_key=gw.admin()["X-API-Key"], transport=_t(gw))
    async with admin:
        created = await admin.create_principal(name, roles=["user"])
        key = await admin.create_key(f"{name}-key", principal_id=created["id"])
    client = AsyncClient("http://gateway.test", api_key=key["key"], transport=_t(gw), timeout=60)
    return client, created["id"]


async def test_objects_larger_than_the_general_body_limit_upload(gateway: Gateway) -> None:
    alice, alice_id = await client_for(gateway, "alice")
    bob, bob_id = await client_for(gateway, "bob")
    data = bytes(range(256)) * (12 * 1024)  # 3 MiB, above the 2 MiB limit of other routes
    async with alice, bob:
        put = await alice.put_object("big/one", data, metadata={"team": "ops"})
        assert put["size"] == len(data) and put["owner"] == alice_id
        assert await alice.get_object("big/one") == data
        assert (await alice.head_object("big/one"))["x-nsl-meta-team"] == "ops"

        with pytest.raises(ApiError) as hidden:
            await bob.get_object("big/one", owner=alice_id)
        assert (hidden.value.status, hidden.value.code) == (404, "storage.not_found")
        await alice.share_object("big/one", bob_id, "read")
        assert await bob.get_object("big/one", owner=alice_id) == data
        listed = await bob.list_objects(shared=True)
        assert [i["key"] for i in listed["items"]] == ["big/one"]

        admin = AsyncClient(
            "http://gateway.test", api_key=gateway.admin()["X-API-Key"], transport=_t(gateway)
        )
        async with admin:
            await admin.set_storage_quota(alice_id, max_bytes=4 * MIB)
        with pytest.raises(ApiError) as refused:
            await alice.put_object("big/two", data)
        assert (refused.value.status, refused.value.code) == (413, "storage.quota_exceeded")
        usage = await alice.storage_usage()
        assert usage["bytes"] == {"used": len(data), "limit": 4 * MIB}


async def test_the_edge_keeps_the_small_limit_for_other_routes(gateway: Gateway) -> None:
    headers = gateway.admin()
    big = b"x" * (3 * MIB)
    other = await gateway.http.post("/api/v1/auth/principals", content=big, headers=headers)
    assert other.status_code == 413 and other.json()["code"] == "request.too_large"
    huge = await gateway.http.put(
        "/api/v1/storage/objects/too-big",
        content=b"",
        headers={**headers, "Content-Length": str(gateway.settings.storage.max_object_bytes + 1)},
    )
    assert huge.status_code == 413 and huge.json()["code"] == "request.too_large"
