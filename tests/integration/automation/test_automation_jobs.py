"""Jobs through the API: validation naming the field, ownership, pause / resume / cancel /
update, and the history (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from automation_harness import Api, Receiver, make_settings

from nsl.core.clock import ManualClock

JOBS = "/api/v1/automation/jobs"


def webhook(receiver: Receiver) -> dict[str, Any]:
    return {"type": "webhook", "url": receiver.url, "payload": {"hello": "world"}}


@pytest.mark.parametrize(
    ("trigger", "field", "rule"),
    [
        ({"type": "cron", "cron": "61 * * * *"}, "trigger.cron", "cron_syntax"),
        ({"type": "cron", "cron": "* * * *"}, "trigger.cron", "cron_fields"),
        ({"type": "cron", "cron": "* * * * * * *"}, "trigger.cron", "cron_fields"),
        ({"type": "cron", "cron": "@hourly"}, "trigger.cron", "cron_fields"),
        ({"type": "cron", "cron": "*/0 * * * *"}, "trigger.cron", "cron_syntax"),
        ({"type": "cron"}, "trigger.cron", "cron_fields"),
        ({"type": "interval", "seconds": 0}, "trigger.seconds", "min"),
        ({"type": "once", "at": "2025-01-01T00:00:00Z"}, "trigger.at", "future"),
        ({"type": "once", "at": "2027-01-01T00:00:00"}, "trigger.at", "timezone"),
        ({"type": "block", "chain": "tron", "height": 5}, "trigger.chain", "known_chain"),
        (
            {"type": "price", "feed": "NEO/USD", "condition": "above", "threshold": "1"},
            "trigger.type",
            "available",
        ),
        ({"type": "price", "feed": "NEO/USD", "condition": "over"}, "trigger.condition", "one_of"),
        ({"type": "sometimes"}, "trigger.type", "one_of"),
    ],
)
async def test_bad_triggers_are_refused_naming_the_field(
    tmp_path: Path, clock: ManualClock, receiver: Receiver, trigger: Any, field: str, rule: str
) -> None:
    async with Api(make_settings(tmp_path, {}), clock) as api:
        headers = await api.user("ann")
        body = {"name": "bad", "trigger": trigger, "action": webhook(receiver)}
        answer = await api.http.post(JOBS, json=body, headers=headers)
        assert answer.status_code in (400, 422), answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        issue = answer.json()["errors"][0]
        assert (issue["field"], issue["rule"]) == (field, rule)
        assert (await api.get("/jobs", headers))["total"] == 0


async def test_bad_actions_are_refused_naming_the_field(tmp_path: Path, clock: ManualClock) -> None:
    every = {"type": "interval", "seconds": 5}
    cases = [
        ({"type": "webhook", "url": "ftp://x"}, "action.url"),
        ({"type": "teleport"}, "action.type"),
        ({"type": "contract", "chain": "neo-n3"}, "action.contract"),  # contracts runs here (needs)
        ({"type": "notification", "channel_id": "c"}, "action.subject"),
    ]
    async with Api(make_settings(tmp_path, {}), clock) as api:
        headers = await api.user("ann")
        for action, field in cases:
            body = {"name": "bad", "trigger": every, "action": action}
            answer = await api.http.post(JOBS, json=body, headers=headers)
            assert answer.status_code == 422, answer.text
            assert answer.json()["errors"][0]["field"] == field


async def test_only_the_owner_or_an_admin_sees_a_job(
    tmp_path: Path, stack: dict[str, Any], clock: ManualClock, receiver: Receiver
) -> None:
    async with Api(make_settings(tmp_path, stack), clock) as api:
        ann, bob = await api.user("ann"), await api.user("bob")
        job = await api.create(
            ann, trigger={"type": "interval", "seconds": 10}, action=webhook(receiver)
        )
        assert job["secret"].startswith("whsec_")
        one = f"{JOBS}/{job['id']}"
        for method, path in [
            ("GET", one),
            ("PATCH", one),
            ("POST", f"{one}/pause"),
            ("POST", f"{one}/cancel"),
            ("GET", f"{one}/executions"),
        ]:
            answer = await api.http.request(method, path, headers=bob, json={"name": "x"})
            assert answer.status_code == 404, (method, path, answer.text)
        assert (await api.get("/jobs", bob))["total"] == 0
        assert (await api.get("/jobs", ann))["total"] == 1
        assert (await api.get("/jobs", api.admin()))["total"] == 1
        assert "secret" not in await api.get(f"/jobs/{job['id']}", ann)
        unauthenticated = await api.http.get(JOBS)
        assert unauthenticated.status_code == 401


async def test_a_six_field_cron_fires_each_due_second_once_with_a_signed_webhook(
    tmp_path: Path, stack: dict[str, Any], clock: ManualClock, receiver: Receiver
) -> None:
    async with Api(make_settings(tmp_path, stack), clock) as api:
        ann = await api.user("ann")
        job = await api.create(
            ann, trigger={"type": "cron", "cron": "* * * * * */10"}, action=webhook(receiver)
        )
        assert job["next_run_at"] == "2026-01-01T00:00:10+00:00"
        await api.tick()
        assert receiver.requests == []  # not due yet
        clock.advance(10)
        await api.tick()
        await api.tick()  # nothing new is due: still one
        assert len(receiver.requests) == 1
        got = receiver.requests[0]
        assert receiver.valid(job["secret"], got)
        assert got.json["payload"] == {"hello": "world"}
        assert got.headers["X-NSL-Idempotency-Key"] == f"{job['id']}:2026-01-01T00:00:10+00:00"
        clock.advance(35)  # 00:00:45: due times 20, 30, 40 were missed; one run, then 50
        await api.tick()
        assert len(receiver.requests) == 2
        listing = await api.get(f"/jobs/{job['id']}", ann)
        assert listing["next_run_at"] == "2026-01-01T00:00:50+00:00"
        history = await api.executions(ann, job["id"])
        assert [e["status"] for e in history] == ["succeeded", "succeeded"]
        assert history[0]["scheduled_for"] == "2026-01-01T00:00:20+00:00"
        assert history[1]["result"] == {"status_code": 200}


async def test_interval_once_max_executions_and_expiry_end_jobs(
    tmp_path: Path, stack: dict[str, Any], clock: ManualClock, receiver: Receiver
) -> None:
    async with Api(make_settings(tmp_path, stack), clock) as api:
        ann = await api.user("ann")
        every = {"type": "interval", "seconds": 5}
        capped = await api.create(ann, trigger=every, action=webhook(receiver), max_executions=2)
        once = await api.create(
            ann,
            trigger={"type": "once", "at": "2026-01-01T00:00:07Z"},
            action=webhook(receiver),
        )
        expiring = await api.create(
            ann, trigger=every, action=webhook(receiver), expires_at="2026-01-01T00:00:12Z"
        )
        for _ in range(6):
            clock.advance(5)
            await api.tick()
        states = {
            j: (await api.get(f"/jobs/{j}", ann))
            for j in (capped["id"], once["id"], expiring["id"])
        }
        assert states[capped["id"]]["status"] == "completed"
        assert states[capped["id"]]["executions"] == 2
        assert states[once["id"]]["status"] == "completed"
        assert states[once["id"]]["executions"] == 1
        assert states[expiring["id"]]["status"] == "expired"
        assert states[expiring["id"]]["executions"] == 2  # due at :05 and :10, not :15
        assert len(receiver.requests) == 5


async def test_pause_resume_cancel_and_update(
    tmp_path: Path, stack: dict[str, Any], clock: ManualClock, receiver: Receiver
) -> None:
    async with Api(make_settings(tmp_path, stack), clock) as api:
        ann = await api.user("ann")
        job = await api.create(
            ann, trigger={"type": "interval", "seconds": 5}, action=webhook(receiver)
        )
        one = f"{JOBS}/{job['id']}"
        paused = await api.http.post(f"{one}/pause", headers=ann)
        assert paused.json()["status"] == "paused" and paused.json()["next_run_at"] is None
        clock.advance(30)
        await api.tick()
        assert receiver.requests == []
        again = await api.http.post(f"{one}/pause", headers=ann)
        assert again.status_code == 409
        resumed = await api.http.post(f"{one}/resume", headers=ann)
        assert resumed.json()["next_run_at"] == "2026-01-01T00:00:35+00:00"
        changed = await api.http.patch(
            one, json={"trigger": {"type": "interval", "seconds": 60}}, headers=ann
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["next_run_at"] == "2026-01-01T00:01:30+00:00"
        bad = await api.http.patch(
            one, json={"trigger": {"type": "cron", "cron": "x"}}, headers=ann
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "trigger.cron"
        replaced = await api.http.put(
            one,
            json={
                "name": "renamed",
                "trigger": {"type": "interval", "seconds": 5},
                "action": webhook(receiver),
                "max_retries": 0,
            },
            headers=ann,
        )
        assert replaced.json()["name"] == "renamed" and replaced.json()["max_retries"] == 0
        clock.advance(5)
        await api.tick()
        assert len(receiver.requests) == 1
        cancelled = await api.http.post(f"{one}/cancel", headers=ann)
        assert cancelled.json()["status"] == "cancelled"
        clock.advance(60)
        await api.tick()
        assert len(receiver.requests) == 1
        assert (await api.http.post(f"{one}/resume", headers=ann)).status_code == 409
        assert (await api.http.patch(one, json={"name": "z"}, headers=ann)).status_code == 409


async def test_a_failing_webhook_is_retried_with_backoff_then_recorded_failed(
    tmp_path: Path, stack: dict[str, Any], clock: ManualClock, receiver: Receiver
) -> None:
    async with Api(make_settings(tmp_path, stack), clock) as api:
        ann = await api.user("ann")
        receiver.statuses = [500, 503, 500, 200]
        job = await api.create(
            ann,
            trigger={"type": "once", "at": "2026-01-01T00:00:01Z"},
            action=webhook(receiver),
            max_retries=2,
        )
        clock.advance(1)
        await api.tick()
        (execution,) = await api.executions(ann, job["id"])
        assert execution["status"] == "retrying" and execution["error"] == "HTTP 500"
        await api.tick()  # the backoff is not over: nothing sent
        assert len(receiver.requests) == 1
        for _ in range(2):
            clock.advance(31)  # past the capped backoff
            await api.tick()
        (execution,) = await api.executions(ann, job["id"])
        assert execution["status"] == "failed" and execution["attempt"] == 3
        assert execution["error"] == "HTTP 500"
        assert len(receiver.requests) == 3
        keys = {r.headers["X-NSL-Idempotency-Key"] for r in receiver.requests}
        assert keys == {f"{job['id']}:2026-01-01T00:00:01+00:00"}
        clock.advance(600)
        await api.tick()
        assert len(receiver.requests) == 3


async def test_a_signed_webhook_trigger_queues_one_execution_per_request(
    tmp_path: Path, stack: dict[str, Any], clock: ManualClock, receiver: Receiver
) -> None:
    from automation_harness import sign

    async with Api(make_settings(tmp_path, stack), clock) as api:
        ann = await api.user("ann")
        job = await api.create(ann, trigger={"type": "webhook"}, action=webhook(receiver))
        hook = f"/api/v1/automation/hooks/{job['id']}"
        body = b'{"order": 7}'
        now = int(clock.now().timestamp())
        wrong = await api.http.post(hook, content=body, headers=sign("whsec_nope", now, body))
        assert wrong.status_code == 401
        stale = await api.http.post(
            hook, content=body, headers=sign(job["secret"], now - 301, body)
        )
        assert stale.status_code == 401
        fired = await api.http.post(hook, content=body, headers=sign(job["secret"], now, body))
        assert fired.status_code == 202 and fired.json()["queued"] is True
        replay = await api.http.post(hook, content=body, headers=sign(job["secret"], now, body))
        assert replay.status_code == 202 and replay.json()["queued"] is False
        other = b'{"order": 8}'
        second = await api.http.post(hook, content=other, headers=sign(job["secret"], now, other))
        assert second.json()["queued"] is True
        await api.tick()
        assert sorted(r.json["trigger"]["body"]["order"] for r in receiver.requests) == [7, 8]
        missing = await api.http.post(
            "/api/v1/automation/hooks/nope", content=body, headers=sign("x", now, body)
        )
        assert missing.status_code == 404


async def test_history_is_paginated_newest_first_and_trimmed_per_job(
    tmp_path: Path, clock: ManualClock, receiver: Receiver
) -> None:
    async with Api(make_settings(tmp_path, {}, history_per_job=3), clock) as api:
        ann = await api.user("ann")
        job = await api.create(
            ann, trigger={"type": "interval", "seconds": 1}, action=webhook(receiver)
        )
        for _ in range(5):
            clock.advance(1)
            await api.tick()
        first = await api.get(f"/jobs/{job['id']}/executions", ann, page=1, page_size=2)
        second = await api.get(f"/jobs/{job['id']}/executions", ann, page=2, page_size=2)
        assert first["total"] == 5 and (first["page"], first["page_size"]) == (1, 2)
        times = [e["scheduled_for"] for e in first["items"] + second["items"]]
        assert times == sorted(times, reverse=True) and len(set(times)) == 4
        bad = await api.http.get(
            f"{JOBS}/{job['id']}/executions", headers=ann, params={"status": "odd"}
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
        await api.service.run_task_once("trim")
        kept = await api.executions(ann, job["id"])
        assert [e["scheduled_for"] for e in kept] == times[:3]
