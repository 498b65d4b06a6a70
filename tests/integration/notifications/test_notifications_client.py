"""Every route through the Python HTTP client (``nsl.client``), against the in-process app."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from notifications_harness import Api, Receiver, make_settings

from nsl.client import AsyncClient
from nsl.client.errors import Conflict
from nsl.core.clock import ManualClock


async def test_http_client_covers_the_api(
    tmp_path: Path, clock: ManualClock, receiver: Receiver
) -> None:
    async with Api(make_settings(tmp_path, {}), clock) as api:
        key = (await api.user("alice"))["X-API-Key"]
        transport = httpx.ASGITransport(app=api.app)
        async with AsyncClient("http://gateway.test", api_key=key, transport=transport) as c:
            hook = await c.create_notification_channel("h", "webhook", url=f"{receiver.base}/h")
            inbox = await c.create_notification_channel("i", "inbox")
            assert hook["secret"] and (await c.notification_channel(hook["id"]))["name"] == "h"
            assert (await c.list_notification_channels())["total"] == 2
            tpl = await c.create_notification_template("t", "Hi {{ who }}", subject="S")
            tpl = await c.update_notification_template(tpl["id"], "t", "Hello {{ who }}")
            assert (await c.notification_template(tpl["id"]))["body"] == "Hello {{ who }}"
            assert (await c.list_notification_templates())["total"] == 1
            sub = await c.create_notification_subscription(inbox["id"], "a.#", template="t")
            assert (await c.notification_subscription(sub["id"]))["pattern"] == "a.#"
            assert (await c.list_notification_subscriptions())["total"] == 1
            await c.delete_notification_subscription(sub["id"])
            sent = await c.send_notification(channel="i", template="t", variables={"who": "A"})
            other = await c.send_notification(channel_id=hook["id"], subject="s", body="b")
            await api.deliver()
            assert (await c.notification(sent["id"]))["body"] == "Hello A"
            assert (await c.list_notifications(status="delivered"))["total"] == 2
            unread = await c.notification_inbox(unread=True)
            assert [i["id"] for i in unread["items"]] == [sent["id"]]
            assert (await c.mark_notification_read(sent["id"]))["read"] is True
            assert (await c.notification_inbox(unread=True))["total"] == 0
            assert (await c.notification_dead_letters())["total"] == 0
            assert (await c.notification(other["id"]))["status"] == "delivered"
            with pytest.raises(Conflict):  # only a dead letter is retried
                await c.retry_notification(other["id"])
            await c.delete_notification_template(tpl["id"])
            await c.delete_notification_channel(hook["id"])
            assert (await c.list_notification_channels())["total"] == 1
