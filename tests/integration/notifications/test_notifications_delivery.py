"""Delivery guarantees: retries on 500 and on timeout with backoff, then a dead letter that the
API shows and can retry; a restart mid-delivery loses nothing and sends once; rate-limited
notifications are deferred, not dropped; scheduling and digests (time driven by the clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from notifications_harness import Api, Receiver, make_settings

from nsl.core.clock import ManualClock
from nsl.services.notifications.queries import Queries


async def test_retries_then_dead_letter_then_retry(
    tmp_path: Path, stack: dict[str, Any], clock: ManualClock, receiver: Receiver
) -> None:
    settings = make_settings(tmp_path, stack, max_age_s=300.0)
    async with Api(settings, clock) as api:
        alice = await api.user("alice")
        channel = await api.channel(alice, type="webhook", url=f"{receiver.base}/hook")
        receiver.statuses = [500, 500]
        receiver.hang = 0
        nid = await api.send(alice, channel_id=channel["id"], subject="s", body="b")
        await api.deliver()  # 500
        first = await api.call("GET", f"/{nid}", alice)
        delay = (datetime.fromisoformat(first["next_attempt_at"]) - clock.now()).total_seconds()
        assert first["status"] == "pending" and 1.0 <= delay <= 2.0  # base 2 s, equal jitter
        clock.advance(delay)
        await api.deliver()  # 500 again
        receiver.hang = 1
        clock.advance(5)
        await api.deliver()  # the receiver never answers: a timeout
        status = await api.call("GET", f"/{nid}", alice)
        assert [h["error"] for h in status["history"]] == [
            "HTTP 500",
            "HTTP 500",
            "outbound.timeout",
        ]
        assert status["status"] == "pending"
        receiver.statuses = [503] * 20
        for _ in range(20):  # until the 300 s window is spent
            clock.advance(60)
            await api.deliver()
            if (await api.call("GET", f"/{nid}", alice))["status"] == "dead":
                break
        dead = await api.call("GET", "/dead-letters", alice)
        assert [d["id"] for d in dead["items"]] == [nid]
        assert dead["items"][0]["last_error"] == "HTTP 503"
        metrics = api.runtime.metrics.render().decode()
        assert 'nsl_notifications_deliveries_total{channel="webhook",outcome="dead"} 1.0' in metrics
        assert "nsl_notifications_dead_letters_notifications 1.0" in metrics
        await api.call("POST", f"/{nid}/retry", alice)
        await api.call("POST", f"/{nid}/retry", alice, 409)  # pending now, not dead
        receiver.statuses = []
        await api.deliver()
        assert (await api.call("GET", f"/{nid}", alice))["status"] == "delivered"
        assert (await api.call("GET", "/dead-letters", alice))["total"] == 0
        assert 'outcome="delivered"} 1.0' in api.runtime.metrics.render().decode()


async def test_restart_mid_delivery_delivers_once(
    tmp_path: Path, stack: dict[str, Any], clock: ManualClock, receiver: Receiver
) -> None:
    settings = make_settings(tmp_path, stack)
    async with Api(settings, clock) as api:
        alice = await api.user("alice")
        channel = await api.channel(alice, type="webhook", url=f"{receiver.base}/hook")
        crashed = await api.send(alice, channel_id=channel["id"], subject="claimed", body="b")
        # a sender claimed this one and died before sending: the row is leased, not lost
        async with api.runtime.adapters.database.session() as session:
            claimed = await Queries(session).claim_due(
                clock.now(), clock.now() + timedelta(seconds=25), 10
            )
        assert claimed == [crashed]
        waiting = await api.send(alice, channel_id=channel["id"], subject="waiting", body="b")
    # the process stopped with both undelivered; a new one on the same database
    async with Api(settings, clock) as api:
        await api.deliver()
        assert [r.json["id"] for r in receiver.requests] == [waiting]
        clock.advance(30)  # the dead sender's lease has expired
        await api.deliver()
        await api.deliver()
        rows = await api.rows("SELECT id, status, attempts FROM notifications_messages")
        assert sorted(rows, key=lambda r: r["id"]) == sorted(
            [{"id": i, "status": "delivered", "attempts": 1} for i in (crashed, waiting)],
            key=lambda r: r["id"],
        )
    assert sorted(r.headers["X-NSL-Notification-Id"] for r in receiver.requests) == sorted(
        [crashed, waiting]
    )


async def test_rate_limit_defers_not_drops(
    tmp_path: Path, clock: ManualClock, receiver: Receiver
) -> None:
    settings = make_settings(tmp_path, {}, recipient_limit=2, recipient_window_s=60)
    async with Api(settings, clock) as api:
        alice = await api.user("alice")
        channel = await api.channel(alice, type="slack", url=f"{receiver.base}/slack")
        ids = [
            await api.send(
                alice, channel_id=channel["id"], recipient="U1", subject=f"n{i}", body="b"
            )
            for i in range(3)
        ]
        other = await api.send(
            alice, channel_id=channel["id"], recipient="U2", subject="x", body="b"
        )
        await api.deliver()
        assert len(receiver.requests) == 3  # two for U1, one for U2
        statuses = {i: await api.call("GET", f"/{i}", alice) for i in [*ids, other]}
        deferred = [s for s in statuses.values() if s["status"] == "pending"]
        assert len(deferred) == 1 and deferred[0]["attempts"] == 0
        assert deferred[0]["history"][-1]["outcome"] == "deferred"
        assert deferred[0]["history"][-1]["status_code"] == 429
        await api.deliver()  # still inside the window: not due yet, nothing sent
        assert len(receiver.requests) == 3
        clock.advance(61)
        await api.deliver()
        assert len(receiver.requests) == 4
        assert (await api.call("GET", f"/{deferred[0]['id']}", alice))["status"] == "delivered"


async def test_scheduled_and_digest(
    tmp_path: Path, stack: dict[str, Any], clock: ManualClock, receiver: Receiver
) -> None:
    async with Api(make_settings(tmp_path, stack), clock) as api:
        alice = await api.user("alice")
        plain = await api.channel(alice, name="p", type="discord", url=f"{receiver.base}/d")
        at = datetime.fromtimestamp(clock.now().timestamp() + 600, UTC).isoformat()
        nid = await api.send(
            alice, channel_id=plain["id"], subject="later", body="b", scheduled_at=at
        )
        await api.deliver()
        assert receiver.requests == []
        clock.advance(601)
        await api.deliver()
        assert [r.json["content"] for r in receiver.requests] == ["**later**\nb"]
        assert (await api.call("GET", f"/{nid}", alice))["status"] == "delivered"
        receiver.requests.clear()
        batched = await api.channel(
            alice, name="w", type="webhook", url=f"{receiver.base}/w", batch_window_s=300
        )
        sent = [
            await api.send(alice, channel_id=batched["id"], subject=f"s{i}", body=f"b{i}")
            for i in range(3)
        ]
        await api.deliver()
        assert receiver.requests == []  # waiting for the end of the window
        clock.advance(300)
        await api.deliver()
        assert len(receiver.requests) == 1
        digest = receiver.requests[0].json
        assert digest["type"] == "digest" and [i["id"] for i in digest["items"]] == sorted(sent)
        assert receiver.requests[0].headers["X-NSL-Notification-Id"] == digest["id"]
        for i in sent:
            row = await api.call("GET", f"/{i}", alice)
            assert row["status"] == "delivered" and row["digest_id"] == digest["id"]


async def test_idempotency_key(tmp_path: Path, clock: ManualClock, receiver: Receiver) -> None:
    async with Api(make_settings(tmp_path, {}), clock) as api:
        alice = await api.user("alice")
        channel = await api.channel(alice, type="webhook", url=f"{receiver.base}/hook")
        body = {"channel_id": channel["id"], "subject": "s", "body": "b", "idempotency_key": "k1"}
        first = await api.call("POST", "", alice, 202, json=body)
        again = await api.call("POST", "", alice, 202, json=body)
        assert first["id"] == again["id"] and first["created"] and not again["created"]
        await api.deliver()
        assert len(receiver.requests) == 1
