"""The API's rules: template errors are 400s naming the field, bad channels are refused,
another principal's resources are not found, topic subscriptions turn bus events into
notifications exactly once, and the in-process client used by automation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from notifications_harness import Api, Receiver, make_settings
from tests.polling import eventually

from nsl.core.clock import ManualClock
from nsl.core.errors import NotFound
from nsl.core.ids import new_id
from nsl.core.ports import Event
from nsl.core.security import Principal
from nsl.services.notifications.client import NotificationsClient


def _fields(response: Any) -> list[tuple[str, str]]:
    problem = response.json()
    return [(f["field"], f["rule"]) for f in problem.get("errors", problem.get("fields", []))]


async def test_template_errors_name_the_field(tmp_path: Path, clock: ManualClock) -> None:
    async with Api(make_settings(tmp_path, {}, max_template_bytes=256), clock) as api:
        alice = await api.user("alice")
        channel = await api.channel(alice, type="inbox")
        bad = await api.http.post(
            "/api/v1/notifications/templates",
            json={"name": "t", "body": "{% if %}"},
            headers=alice,
        )
        assert bad.status_code == 422 and ("body", "template_syntax") in _fields(bad)
        big = await api.http.post(
            "/api/v1/notifications/templates",
            json={"name": "t", "body": "x" * 300},
            headers=alice,
        )
        assert big.status_code == 422 and ("body", "max_size") in _fields(big)
        await api.call(
            "POST",
            "/templates",
            alice,
            201,
            json={"name": "greet", "subject": "Hi {{ user.name }}", "body": "{{ amount }} GAS"},
        )
        missing = await api.http.post(
            "/api/v1/notifications",
            json={"channel_id": channel["id"], "template": "greet", "variables": {"user": {}}},
            headers=alice,
        )
        assert missing.status_code == 422, missing.text
        assert "name" in missing.text
        missing = await api.http.post(
            "/api/v1/notifications",
            json={
                "channel_id": channel["id"],
                "template": "greet",
                "variables": {"user": {"name": "A"}},
            },
            headers=alice,
        )
        assert missing.status_code == 422 and ("variables.amount", "defined") in _fields(missing)
        unsafe = await api.call(
            "POST",
            "/templates",
            alice,
            201,
            json={"name": "u", "body": "{{ ''.__class__.__mro__ }}"},
        )
        refused = await api.http.post(
            "/api/v1/notifications",
            json={"channel_id": channel["id"], "template": unsafe["id"]},
            headers=alice,
        )
        assert refused.status_code == 422 and ("body", "sandbox") in _fields(refused)
        ok = await api.send(
            alice,
            channel_id=channel["id"],
            template="greet",
            variables={"user": {"name": "A"}, "amount": 5},
        )
        row = await api.call("GET", f"/{ok}", alice)
        assert (row["subject"], row["body"]) == ("Hi A", "5 GAS")
        assert (await api.call("GET", "", alice))["total"] == 1  # nothing half-written


async def test_bad_input_is_refused(tmp_path: Path, clock: ManualClock) -> None:
    settings = make_settings(tmp_path, {}, allow_loopback=False)
    async with Api(settings, clock) as api:
        alice = await api.user("alice")
        cases = [
            (
                {"name": "a", "type": "webhook", "url": "http://127.0.0.1:9/x"},
                ("url", "public_address"),
            ),
            ({"name": "a", "type": "webhook", "url": "ftp://example.com/"}, ("url", "http_url")),
            ({"name": "a", "type": "webhook"}, ("url", "required")),
            (
                {
                    "name": "a",
                    "type": "telegram",
                    "url": "https://api.telegram.org/botX/sendMessage",
                },
                ("chat_id", "required"),
            ),
            (
                {"name": "a", "type": "inbox", "url": "https://example.com/"},
                ("url", "not_for_type"),
            ),
            (
                {
                    "name": "a",
                    "type": "email",
                    "smtp": {"host": "10.0.0.1", "from_address": "a@b.io"},
                },
                ("smtp.host", "public_address"),
            ),
            (
                {
                    "name": "a",
                    "type": "email",
                    "smtp": {"host": "smtp.example.com", "from_address": "nope"},
                },
                ("smtp.from_address", "email"),
            ),
            ({"name": "a", "type": "inbox", "batch_window_s": 0}, ("batch_window_s", "range")),
        ]
        for body, expected in cases:
            response = await api.http.post(
                "/api/v1/notifications/channels", json=body, headers=alice
            )
            assert response.status_code == 422, (body, response.text)
            assert expected in _fields(response), (body, response.text)
        channel = await api.channel(alice, type="inbox")
        both = await api.http.post(
            "/api/v1/notifications",
            json={"channel_id": channel["id"], "body": "b", "template": "t"},
            headers=alice,
        )
        assert both.status_code == 422 and ("body", "one_of") in _fields(both)
        page = await api.http.get("/api/v1/notifications?page_size=0", headers=alice)
        assert page.status_code == 422 and ("page_size", "range") in _fields(page)
        status = await api.http.get("/api/v1/notifications?status=lost", headers=alice)
        assert status.status_code == 422 and ("status", "one_of") in _fields(status)
        pattern = await api.http.post(
            "/api/v1/notifications/subscriptions",
            json={"channel_id": channel["id"], "pattern": "a..b"},
            headers=alice,
        )
        assert pattern.status_code == 422 and ("pattern", "topic_pattern") in _fields(pattern)


async def test_ownership(tmp_path: Path, clock: ManualClock, receiver: Receiver) -> None:
    async with Api(make_settings(tmp_path, {}), clock) as api:
        alice, mallory = await api.user("alice"), await api.user("mallory")
        admin = await api.user("root", ["admin"])
        channel = await api.channel(alice, type="webhook", url=f"{receiver.base}/h")
        template = await api.call("POST", "/templates", alice, 201, json={"name": "t", "body": "x"})
        sub = await api.call(
            "POST",
            "/subscriptions",
            alice,
            201,
            json={"channel_id": channel["id"], "pattern": "orders.#"},
        )
        nid = await api.send(alice, channel_id=channel["id"], subject="s", body="b")
        for path in (
            f"/channels/{channel['id']}",
            f"/templates/{template['id']}",
            f"/subscriptions/{sub['id']}",
            f"/{nid}",
        ):
            await api.call("GET", path, mallory, 404)
            await api.call("GET", path, alice, 200)
            await api.call("GET", path, admin, 200)
        await api.call(
            "POST",
            "",
            mallory,
            404,
            json={"channel_id": channel["id"], "subject": "s", "body": "b"},
        )
        await api.call(
            "POST",
            "/subscriptions",
            mallory,
            404,
            json={"channel_id": channel["id"], "pattern": "#"},
        )
        await api.call("DELETE", f"/channels/{channel['id']}", mallory, 404)
        for path in ("/channels", "/templates", "/subscriptions", ""):
            assert (await api.call("GET", path, mallory))["total"] == 0
            assert (await api.call("GET", path, alice))["total"] == 1


async def test_topic_subscription_from_bus(
    tmp_path: Path, stack: dict[str, Any], clock: ManualClock, receiver: Receiver
) -> None:
    async with Api(make_settings(tmp_path, stack), clock) as api:
        alice = await api.user("alice")
        channel = await api.channel(alice, type="webhook", url=f"{receiver.base}/h")
        await api.call(
            "POST",
            "/templates",
            alice,
            201,
            json={
                "name": "order",
                "subject": "Order {{ payload.id }}",
                "body": "{{ topic }}: {{ payload.total }}",
            },
        )
        await api.call(
            "POST",
            "/subscriptions",
            alice,
            201,
            json={"channel_id": channel["id"], "pattern": "shop.*.paid", "template": "order"},
        )
        inbox = await api.channel(alice, type="inbox")
        await api.call(
            "POST",
            "/subscriptions",
            alice,
            201,
            json={"channel_id": inbox["id"], "pattern": "shop.#"},
        )
        event = Event(new_id(), "shop.eu.paid", {"id": "o-1", "total": "9.50"}, datetime.now(UTC))
        await api.runtime.adapters.bus.publish(event)
        await api.runtime.adapters.bus.publish(event)  # redelivered: handled once
        other = Event(new_id(), "shop.eu.refunded", {"id": "o-2"}, datetime.now(UTC))
        await api.runtime.adapters.bus.publish(other)

        async def made() -> bool:
            total: int = (await api.call("GET", "", alice))["total"]
            return total >= 3

        await eventually(made, within=20)
        await api.deliver()

        async def sent() -> bool:  # the service's own sender task may hold the row just now
            return len(receiver.requests) >= 1

        await eventually(sent, within=20)
        listing = await api.call("GET", "", alice)
        assert listing["total"] == 3
        hooks = [r.json for r in receiver.requests]
        assert [(h["subject"], h["body"], h["topic"]) for h in hooks] == [
            ("Order o-1", "shop.eu.paid: 9.50", "shop.eu.paid")
        ]
        inboxed = await api.call("GET", "/inbox", alice)
        assert sorted(i["topic"] for i in inboxed["items"]) == ["shop.eu.paid", "shop.eu.refunded"]


async def test_client_for_other_services(
    tmp_path: Path, clock: ManualClock, receiver: Receiver
) -> None:
    async with Api(make_settings(tmp_path, {}), clock) as api:
        alice = await api.user("alice")
        channel = await api.channel(alice, type="webhook", url=f"{receiver.base}/h")
        me = await api.http.get("/api/v1/auth/me", headers=alice)
        owner_id = me.json()["id"]
        client = NotificationsClient(api.runtime.ctx)
        owner = Principal(id=owner_id, name="alice", kind="user", roles=frozenset())
        first = await client.send(
            owner, channel["id"], "job", "ran", topic="automation.job", idempotency_key="job-1@t0"
        )
        again = await client.send(owner, channel["id"], "job", "ran", idempotency_key="job-1@t0")
        assert first == again
        stranger = Principal(id="someone-else", name="x", kind="user", roles=frozenset())
        with pytest.raises(NotFound):  # a channel of someone else is not usable
            await client.send(stranger, channel["id"], "s", "b")
        await api.deliver()
        assert [r.json["id"] for r in receiver.requests] == [first]
        assert receiver.requests[0].json["topic"] == "automation.job"
