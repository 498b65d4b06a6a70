"""Ownership and input rules through the gateway: nobody else sees or touches a subscription;
bad input is a 4xx naming the field and the rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from events_harness import Api, make_settings

from nsl.client import AsyncClient
from nsl.client.errors import ApiError
from nsl.core.clock import ManualClock

CONTRACT = "0x" + "ab" * 20
BODY: dict[str, Any] = {
    "chain": "neo-n3",
    "contract": CONTRACT,
    "event_name": "Transfer",
    "start_block": 1,
    "delivery": {"type": "inbox"},
}


@pytest.fixture
async def api(tmp_path: Path, clock: ManualClock) -> Any:
    # No chain is needed: start_block is given, and nothing is polled.
    chains = {"neo_n3": {"enabled": False}, "neo_x": {"enabled": False}, "dev": {"start": False}}
    async with Api(make_settings(tmp_path, {"chains": chains}), clock) as gateway:
        yield gateway


async def test_another_principal_cannot_see_or_touch_my_subscription(api: Api) -> None:
    alice, bob = await api.user("alice"), await api.user("bob")
    sub = await api.subscribe(alice, **BODY)
    one = f"/api/v1/events/subscriptions/{sub['id']}"
    for method, path in [
        ("GET", one),
        ("GET", f"{one}/deliveries"),
        ("GET", f"{one}/dead-letters"),
        ("GET", f"{one}/inbox"),
        ("POST", f"{one}/pause"),
        ("POST", f"{one}/resume"),
        ("DELETE", one),
    ]:
        answer = await api.http.request(method, path, headers=bob)
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.json()["code"] == "events.not_found"
    assert (await api.get("/subscriptions", bob))["total"] == 0
    assert (await api.get("/subscriptions", alice))["total"] == 1
    assert (await api.get(f"/subscriptions/{sub['id']}", alice))["status"] == "active"

    auditor = await api.user("carol", ["auditor"])
    refused = await api.http.get("/api/v1/events/subscriptions", headers=auditor)
    assert refused.status_code == 403


async def test_lifecycle_through_the_typed_client(api: Api) -> None:
    alice = await api.user("alice")
    transport = httpx.ASGITransport(app=api.app)
    key = alice["X-API-Key"]
    async with AsyncClient("http://gateway.test", api_key=key, transport=transport) as client:
        created = await client.create_event_subscription(
            "neo-n3", CONTRACT, {"type": "inbox"}, event_name="Transfer", start_block=5
        )
        assert created["cursor"] == {"block_number": 4, "block_hash": None}
        assert (await client.pause_event_subscription(created["id"]))["status"] == "paused"
        listed = await client.list_event_subscriptions(status="paused")
        assert [s["id"] for s in listed["items"]] == [created["id"]]
        assert (await client.resume_event_subscription(created["id"]))["status"] == "active"
        assert (await client.event_inbox(created["id"]))["items"] == []
        assert (await client.event_deliveries(created["id"]))["total"] == 0
        await client.delete_event_subscription(created["id"])
        with pytest.raises(ApiError) as gone:
            await client.event_subscription(created["id"])
        assert gone.value.status == 404


@pytest.mark.parametrize(
    ("change", "status", "field", "rule"),
    [
        ({"chain": "bitcoin"}, 400, "chain", "known_chain"),
        ({"contract": "0x1234"}, 422, "contract", "format"),
        ({"confirmations": -1}, 422, "confirmations", "range"),
        ({"filters": {"key": [1, 2]}}, 422, "filters.key", "scalar"),
        ({"delivery": {"type": "webhook"}}, 422, "delivery.url", "required"),
        ({"delivery": {"type": "webhook", "url": "ftp://x/"}}, 422, "delivery.url", "http_url"),
        ({"delivery": {"type": "inbox", "url": "http://x/"}}, 422, "delivery.url", "webhook_only"),
        ({"chain": "neo-x", "abi": None}, 422, "abi", "required"),
        ({"start_block": -5}, 422, "start_block", "range"),
    ],
)
async def test_bad_input_names_the_field_and_rule(
    api: Api, change: dict[str, Any], status: int, field: str, rule: str
) -> None:
    alice = await api.user("alice")
    answer = await api.http.post(
        "/api/v1/events/subscriptions", json={**BODY, **change}, headers=alice
    )
    assert answer.status_code == status, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert any(f["field"] == field and f["rule"] == rule for f in problem["errors"]), problem
    if field == "chain":
        assert "neo-n3" in problem["detail"] and "neo-x" in problem["detail"]


async def test_unknown_delivery_type_and_paging_limits(api: Api) -> None:
    alice = await api.user("alice")
    answer = await api.http.post(
        "/api/v1/events/subscriptions",
        json={**BODY, "delivery": {"type": "carrier-pigeon"}},
        headers=alice,
    )
    assert answer.status_code == 422
    listing = await api.http.get(
        "/api/v1/events/subscriptions", params={"page_size": 501}, headers=alice
    )
    assert listing.status_code == 422 and listing.json()["errors"][0]["field"] == "page_size"
