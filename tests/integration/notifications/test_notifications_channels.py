"""Each channel type against a real local server: the signed webhook (signature checked here
with hmac/hashlib), Slack, Discord and Telegram formats, e-mail over SMTP with the password
read from the secrets service, and the in-app inbox."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from notifications_harness import Api, Receiver, Smtp, make_settings

from nsl.core.clock import ManualClock

# the local SMTP server takes a password without TLS (loopback only, in tests)
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    stamp = headers["X-NSL-Timestamp"]
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-NSL-Signature"], f"v1={mac}")


async def test_webhook_signed_with_stable_id(
    tmp_path: Path, stack: dict[str, Any], clock: ManualClock, receiver: Receiver
) -> None:
    async with Api(make_settings(tmp_path, stack), clock) as api:
        alice = await api.user("alice")
        channel = await api.channel(alice, type="webhook", url=f"{receiver.base}/hook")
        secret = channel.pop("secret")
        assert secret.startswith("whsec_")
        shown = await api.call("GET", f"/channels/{channel['id']}", alice)
        assert "secret" not in json.dumps(shown) and secret not in json.dumps(shown)
        rows = await api.rows("SELECT sealed, config FROM notifications_channels")
        assert secret.encode() not in rows[0]["sealed"] and secret not in str(rows[0]["config"])
        receiver.statuses = [500]
        nid = await api.send(alice, channel_id=channel["id"], subject="Hello", body="World")
        await api.deliver()
        clock.advance(120)
        await api.deliver()
        assert len(receiver.requests) == 2
        for request in receiver.requests:
            assert _verify(secret, request.headers, request.body)
            assert request.headers["X-NSL-Notification-Id"] == nid
            assert request.json == {
                **request.json,
                "type": "notification",
                "id": nid,
                "subject": "Hello",
                "body": "World",
            }
        assert not _verify("whsec_wrong", receiver.requests[0].headers, receiver.requests[0].body)
        status = await api.call("GET", f"/{nid}", alice)
        assert status["status"] == "delivered" and status["attempts"] == 2
        assert [h["status_code"] for h in status["history"]] == [500, 200]


async def test_chat_formats(tmp_path: Path, clock: ManualClock, receiver: Receiver) -> None:
    async with Api(make_settings(tmp_path, {}), clock) as api:
        bob = await api.user("bob")
        slack = await api.channel(bob, name="s", type="slack", url=f"{receiver.base}/slack/T0K3N")
        discord = await api.channel(bob, name="d", type="discord", url=f"{receiver.base}/discord")
        telegram = await api.channel(
            bob, name="t", type="telegram", url=f"{receiver.base}/botXYZ/sendMessage", chat_id="42"
        )
        assert "T0K3N" not in json.dumps(slack) and slack["config"] == {
            "url_host": receiver.base[7:]
        }
        for channel in (slack, discord, telegram):
            await api.send(bob, channel_id=channel["id"], subject="Alert", body="disk full")
        await api.send(bob, channel="t", recipient="-100", subject="", body="to another chat")
        await api.deliver()
        got = {r.path: r.json for r in receiver.requests if r.path != "/botXYZ/sendMessage"}
        assert got["/slack/T0K3N"] == {"text": "*Alert*\ndisk full"}
        assert got["/discord"] == {"content": "**Alert**\ndisk full"}
        telegrams = [r.json for r in receiver.requests if r.path == "/botXYZ/sendMessage"]
        assert sorted(telegrams, key=str) == sorted(
            [
                {"chat_id": "42", "text": "Alert\n\ndisk full"},
                {"chat_id": "-100", "text": "to another chat"},
            ],
            key=str,
        )


async def test_email_over_smtp_with_password_from_secrets(
    tmp_path: Path, stack: dict[str, Any], clock: ManualClock, smtp: Smtp
) -> None:
    async with Api(make_settings(tmp_path, stack), clock) as api:
        carol = await api.user("carol")
        put = await api.http.put(
            "/api/v1/secrets/mail/smtp",
            json={"data": {"password": "s3cret-smtp-pass"}},
            headers=carol,
        )
        assert put.status_code in (200, 201), put.text
        channel = await api.channel(
            carol,
            type="email",
            smtp={
                "host": "127.0.0.1",
                "port": smtp.port,
                "tls": "none",
                "username": "mailer",
                "password_secret": {"path": "mail/smtp", "key": "password"},
                "from_address": "alerts@nsl.example",
                "to": "ops@example.com",
            },
        )
        assert "s3cret" not in json.dumps(channel)
        template = await api.call(
            "POST",
            "/templates",
            carol,
            201,
            json={
                "name": "html",
                "format": "html",
                "subject": "Order {{ n }}",
                "body": "<p>Hi {{ name }}</p>",
            },
        )
        nid = await api.send(
            carol,
            channel_id=channel["id"],
            recipient="dave@example.com",
            template=template["name"],
            variables={"n": 7, "name": "<Dave>"},
        )
        await api.send(carol, channel_id=channel["id"], subject="Plain", body="text body")
        await api.deliver()
        assert smtp.logins == ["mailer", "mailer"]
        by_subject = {m["Subject"]: m for m in smtp.messages}
        html = by_subject["Order 7"]
        assert html["To"] == "dave@example.com" and html["From"] == "alerts@nsl.example"
        assert html.get_content_type() == "text/html"
        assert "<p>Hi &lt;Dave&gt;</p>" in html.get_payload(decode=True).decode()
        plain = by_subject["Plain"]
        assert plain["To"] == "ops@example.com"
        assert plain.get_payload(decode=True).decode().strip() == "text body"
        assert ("alerts@nsl.example", ["dave@example.com"]) in smtp.envelopes
        assert (await api.call("GET", f"/{nid}", carol))["status"] == "delivered"


async def test_email_wrong_password_is_retried_not_lost(
    tmp_path: Path, clock: ManualClock, smtp: Smtp
) -> None:
    async with Api(make_settings(tmp_path, {}), clock) as api:
        erin = await api.user("erin")
        await api.http.put(
            "/api/v1/secrets/smtp", json={"data": {"password": "nope"}}, headers=erin
        )
        channel = await api.channel(
            erin,
            type="email",
            smtp={
                "host": "127.0.0.1",
                "port": smtp.port,
                "tls": "none",
                "username": "mailer",
                "password_secret": {"path": "smtp"},
                "from_address": "a@b.example",
                "to": "c@d.example",
            },
        )
        nid = await api.send(erin, channel_id=channel["id"], subject="s", body="b")
        await api.deliver()
        status = await api.call("GET", f"/{nid}", erin)
        assert status["status"] == "pending" and status["history"][0]["status_code"] == 535
        assert smtp.messages == []


async def test_inbox_read_and_mark(tmp_path: Path, clock: ManualClock) -> None:
    async with Api(make_settings(tmp_path, {}), clock) as api:
        frank = await api.user("frank")
        channel = await api.channel(frank, type="inbox")
        first = await api.send(frank, channel_id=channel["id"], subject="one", body="1")
        await api.send(frank, channel_id=channel["id"], subject="two", body="2")
        assert (await api.call("GET", "/inbox", frank))["total"] == 0  # not delivered yet
        await api.deliver()
        inbox = await api.call("GET", "/inbox", frank, params={"unread": "true"})
        assert inbox["total"] == 2 and {i["subject"] for i in inbox["items"]} == {"one", "two"}
        read = await api.call("POST", f"/inbox/{first}/read", frank)
        assert read["read"] is True
        unread = await api.call("GET", "/inbox", frank, params={"unread": "true"})
        assert [i["subject"] for i in unread["items"]] == ["two"]
        other = await api.user("grace")
        await api.call("POST", f"/inbox/{first}/read", other, 404)
        assert (await api.call("GET", "/inbox", other))["total"] == 0
