"""Exactly once per due time across replicas: three runtimes on one PostgreSQL database claim
the same due jobs concurrently; a runner that dies mid-action has its lease taken over."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from automation_harness import Api, Receiver, make_settings
from sqlalchemy import select

from nsl.core.clock import ManualClock
from nsl.services.automation.models import Job

JOBS = 240


async def test_three_runtimes_run_each_due_execution_exactly_once(
    tmp_path: Path, fresh_postgres_url: str, clock: ManualClock, receiver: Receiver
) -> None:
    overrides: dict[str, Any] = {
        "database": {"url": fresh_postgres_url, "pool_min": 2, "pool_max": 8}
    }
    async with AsyncExitStack() as stack:
        apis = []
        for _ in range(3):
            settings = make_settings(tmp_path, overrides, claim_batch=40)  # one master key
            apis.append(await stack.enter_async_context(Api(settings, clock)))
        ann = await apis[0].user("ann")
        action = {"type": "webhook", "url": receiver.url}
        for i in range(JOBS):
            trigger = (
                {"type": "once", "at": "2026-01-01T00:00:01Z"}
                if i % 2
                else {"type": "cron", "cron": "* * * * * *"}
            )
            await apis[i % 3].create_direct(ann, name=f"j{i}", trigger=trigger, action=action)
        clock.advance(1)  # every job is due at 00:00:01
        for _ in range(4):  # several concurrent rounds: batches of 40 on each runtime
            await asyncio.gather(*(api.tick() for api in apis))
        rows = await apis[0].rows(
            "SELECT job_id, scheduled_for, status, attempt FROM automation_executions"
        )
        assert len(rows) == JOBS
        assert len({(r["job_id"], r["scheduled_for"]) for r in rows}) == JOBS
        assert {r["status"] for r in rows} == {"succeeded"}
        assert {r["attempt"] for r in rows} == {1}
        keys = Counter(r.headers["X-NSL-Idempotency-Key"] for r in receiver.requests)
        assert len(keys) == JOBS and set(keys.values()) == {1}
        ran = [
            api.service.telemetry.executions.labels("webhook", "succeeded")._value.get()
            for api in apis
        ]
        assert sum(ran) == JOBS
        assert sum(1 for count in ran if count > 0) >= 2, ran  # the work was shared


async def test_a_dead_runners_lease_is_taken_over_after_it_expires(
    tmp_path: Path, fresh_postgres_url: str, clock: ManualClock, receiver: Receiver
) -> None:
    overrides: dict[str, Any] = {
        "database": {"url": fresh_postgres_url, "pool_min": 2, "pool_max": 8}
    }
    receiver.hold = asyncio.Event()  # the first runner's request never gets its answer
    doomed = Api(make_settings(tmp_path, overrides), clock)
    await doomed.__aenter__()
    ann = await doomed.user("ann")
    webhook_job = await doomed.create(
        ann,
        trigger={"type": "once", "at": "2026-01-01T00:00:01Z"},
        action={"type": "webhook", "url": receiver.url},
    )
    contract_job = await doomed.create(
        ann,
        trigger={"type": "once", "at": "2026-01-01T00:00:01Z"},
        action={"type": "webhook", "url": receiver.url},
    )
    clock.advance(1)
    await doomed.service.run_task_once("tick")
    await _until(lambda: len(receiver.requests) == 2)
    # the second job stands for a contract call already handed over when its runner died
    async with doomed.runtime.adapters.database.session() as session:
        row = (await session.scalars(select(Job).where(Job.id == contract_job["id"]))).one()
        row.action = {**row.action, "type": "contract"}
    await doomed.execute(
        "UPDATE automation_executions SET dispatched_at = started_at WHERE job_id = :j",
        j=contract_job["id"],
    )
    await doomed.__aexit__(None, None, None)  # dies mid-action: its leases stay
    async with Api(make_settings(tmp_path, overrides), clock) as survivor:
        await survivor.tick()
        assert len(receiver.requests) == 2  # the leases are still valid: nothing taken over
        clock.advance(31)  # past lease_ttl_s
        receiver.hold.set()
        await survivor.tick()
        first = await survivor.executions(ann, webhook_job["id"])
        second = await survivor.executions(ann, contract_job["id"])
    assert [(e["status"], e["attempt"]) for e in first] == [("succeeded", 2)]
    assert second[0]["status"] == "failed" and second[0]["attempt"] == 1
    assert second[0]["error"].startswith("automation.outcome_unknown")
    # the webhook saw the retry with the same idempotency key (at-least-once at that edge)
    keys = [r.headers["X-NSL-Idempotency-Key"] for r in receiver.requests]
    assert keys.count(f"{webhook_job['id']}:2026-01-01T00:00:01+00:00") == 2
    assert len(receiver.requests) == 3


async def _until(predicate: Any) -> None:
    from tests.polling import eventually

    await eventually(predicate, within=10)
