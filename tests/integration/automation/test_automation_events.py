"""Contract-event triggers on the real Neo N3 dev chain: events emitted by an independent
emitter (its own enclave and chain client) fire the job once per matching event through an
events subscription on the bus, with the event in the action's input; a redelivered event runs
nothing again; cancelling the job removes its subscription; bad triggers name their field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from automation_harness import Api, Receiver, make_settings
from tests.integration.events.events_harness import Emitter, stored_ids
from tests.polling import eventually

from nsl.core.clock import ManualClock
from nsl.core.ports import Event

JOBS = "/api/v1/automation/jobs"
SUBSCRIPTIONS = "/api/v1/events/subscriptions"


def settings_for(tmp_path: Path, dev_chains: Any, stack: dict[str, Any]) -> Any:
    return make_settings(tmp_path, {"chains": dev_chains.settings_overrides(), **stack})


async def test_an_event_trigger_runs_once_per_matching_event_with_the_event_as_input(
    tmp_path: Path, stack: dict[str, Any], dev_chains: Any, clock: ManualClock, receiver: Receiver
) -> None:
    overrides = {"chains": dev_chains.settings_overrides()}
    emitter = await Emitter(tmp_path, overrides, "neo-n3").open(dev_chains)
    try:
        contract = await emitter.deploy()
        async with Api(settings_for(tmp_path, dev_chains, stack), clock) as api:
            ann, bob = await api.user("ann"), await api.user("bob")
            trigger = {
                "type": "event",
                "chain": "neo-n3",
                "contract": contract,
                "event_name": "Stored",
                "filters": {"key": "a"},
            }
            action = {"type": "webhook", "url": receiver.url, "payload": {"note": "from-test"}}
            job = await api.create(ann, trigger=trigger, action=action)
            sub_id = job["event_subscription_id"]
            assert sub_id and job["next_run_at"] is None
            assert job["trigger"]["confirmations"] == 1  # the events service's N3 default
            sub = await api.http.get(f"{SUBSCRIPTIONS}/{sub_id}", headers=ann)
            assert sub.status_code == 200, sub.text
            assert sub.json()["delivery"] == {"type": "bus", "topic": f"events.{sub_id}"}
            assert sub.json()["contract"] == contract.lower()
            # another principal sees neither the job nor its subscription
            assert (await api.http.get(f"{JOBS}/{job['id']}", headers=bob)).status_code == 404
            assert (await api.http.get(f"{SUBSCRIPTIONS}/{sub_id}", headers=bob)).status_code == 404

            published: list[Event] = []

            async def collect(event: Event) -> None:
                published.append(event)

            await api.runtime.ctx.bus.subscribe("automation-test", f"events.{sub_id}", collect)
            first = list(stored_ids(await emitter.store("a", 1)))
            list(stored_ids(await emitter.store("b", 2)))  # filtered out
            second = list(stored_ids(await emitter.store("a", 3)))

            async def both_ran() -> bool:
                await api.runtime.services["events"].run_task_once("poll-neo-n3")
                await api.runtime.platform.run_task_once("outbox-relay")
                await api.tick()
                return len(receiver.requests) >= 2

            await eventually(both_ran, within=60, interval=0.1)
            bodies = [r.json for r in receiver.requests]
            assert [b["trigger"]["event"]["event_id"] for b in bodies] == first + second
            assert [int(b["trigger"]["event"]["args"]["value"]) for b in bodies] == [1, 3]
            assert all(b["trigger"]["type"] == "event" for b in bodies)
            assert all(b["payload"] == {"note": "from-test"} for b in bodies)
            assert all(receiver.valid(job["secret"], r) for r in receiver.requests)
            executions = await api.executions(ann, job["id"])
            assert sorted(e["event_id"] for e in executions) == sorted(first + second)
            assert {e["status"] for e in executions} == {"succeeded"}

            # the same chain event published again (a new bus message): nothing runs again
            await eventually(lambda: len(published) >= 2, within=10)
            again = published[0]
            replay = Event("replayed-" + again.id, again.topic, again.payload, datetime.now(UTC))
            await api.runtime.ctx.bus.publish(replay)
            await api.runtime.ctx.bus.publish(again)  # and the same message twice
            handled = "SELECT count(*) AS n FROM core_inbox WHERE consumer = 'automation'"

            async def consumed() -> bool:
                return int((await api.rows(handled))[0]["n"]) >= 3

            await eventually(consumed, within=10)
            await api.tick()
            assert len(await api.executions(ann, job["id"])) == 2
            assert len(receiver.requests) == 2

            cancelled = await api.http.post(f"{JOBS}/{job['id']}/cancel", headers=ann)
            assert cancelled.status_code == 200, cancelled.text
            assert cancelled.json()["event_subscription_id"] is None
            gone = await api.http.get(f"{SUBSCRIPTIONS}/{sub_id}", headers=ann)
            assert gone.status_code == 404, gone.text
            assert await api.rows("SELECT id FROM events_subscriptions") == []
    finally:
        await emitter.close()


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"chain": "tron"}, "trigger.chain", "known_chain"),
        ({"contract": "0x12"}, "trigger.contract", "format"),
        ({"contract": None}, "trigger.contract", "required"),
        ({"event_name": None}, "trigger.event_name", "required"),
        ({"event_name": "9lives"}, "trigger.event_name", "format"),
        ({"filters": [1]}, "trigger.filters", "object"),
        ({"filters": {"k": [1]}}, "trigger.filters.k", "scalar"),
        ({"confirmations": -1}, "trigger.confirmations", "range"),
        ({"chain": "neo-x"}, "trigger.abi", "required"),  # neo-x names events by the ABI
        ({"topic": "x"}, "trigger.topic", "unknown_field"),
    ],
)
async def test_bad_event_triggers_are_refused_naming_the_field(
    tmp_path: Path,
    dev_chains: Any,
    clock: ManualClock,
    receiver: Receiver,
    change: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    trigger = {
        "type": "event",
        "chain": "neo-n3",
        "contract": "0x" + "ab" * 20,
        "event_name": "Stored",
        **change,
    }
    trigger = {k: v for k, v in trigger.items() if v is not None}
    async with Api(settings_for(tmp_path, dev_chains, {}), clock) as api:
        ann = await api.user("ann")
        body = {
            "name": "bad",
            "trigger": trigger,
            "action": {"type": "webhook", "url": receiver.url},
        }
        answer = await api.http.post(JOBS, json=body, headers=ann)
        assert answer.status_code in (400, 422), answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        issue = answer.json()["errors"][0]
        assert (issue["field"], issue["rule"]) == (field, rule)
        assert (await api.get("/jobs", ann))["total"] == 0
        assert await api.rows("SELECT id FROM events_subscriptions") == []


async def test_an_event_trigger_is_not_changed_in_place(
    tmp_path: Path, dev_chains: Any, clock: ManualClock, receiver: Receiver
) -> None:
    trigger = {
        "type": "event",
        "chain": "neo-n3",
        "contract": "0x" + "cd" * 20,
        "event_name": "Stored",
    }
    action = {"type": "webhook", "url": receiver.url}
    async with Api(settings_for(tmp_path, dev_chains, {}), clock) as api:
        ann = await api.user("ann")
        job = await api.create(ann, trigger=trigger, action=action)
        renamed = await api.http.patch(f"{JOBS}/{job['id']}", json={"name": "n2"}, headers=ann)
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()["event_subscription_id"] == job["event_subscription_id"]
        same = await api.http.put(
            f"{JOBS}/{job['id']}",
            json={"name": "n3", "trigger": trigger, "action": action},
            headers=ann,
        )
        assert same.status_code == 200, same.text  # the same trigger (default confirmations)
        moved = {"type": "interval", "seconds": 5}
        refused = await api.http.patch(f"{JOBS}/{job['id']}", json={"trigger": moved}, headers=ann)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "trigger"
        assert len(await api.rows("SELECT id FROM events_subscriptions")) == 1
        # an expired job's subscription goes at the next watch round, though no event came
        ends = (clock.now() + timedelta(hours=1)).isoformat()
        limited = await api.http.patch(
            f"{JOBS}/{job['id']}", json={"expires_at": ends}, headers=ann
        )
        assert limited.status_code == 200, limited.text
        await api.service.run_task_once("watch")
        assert len(await api.rows("SELECT id FROM events_subscriptions")) == 1
        clock.advance(3601)
        await api.service.run_task_once("watch")
        assert (await api.get(f"/jobs/{job['id']}", ann))["status"] == "expired"
        assert await api.rows("SELECT id FROM events_subscriptions") == []


async def test_a_retracted_event_that_has_not_run_is_cancelled(
    tmp_path: Path, dev_chains: Any, clock: ManualClock, receiver: Receiver
) -> None:
    """The bus messages of the events service (shape of ``events.views.message``), published
    here: an event queues an execution; its retraction (a reorg) cancels it before a tick."""
    trigger = {
        "type": "event",
        "chain": "neo-n3",
        "contract": "0x" + "ef" * 20,
        "event_name": "Stored",
    }
    async with Api(settings_for(tmp_path, dev_chains, {}), clock) as api:
        ann = await api.user("ann")
        action = {"type": "webhook", "url": receiver.url}
        job = await api.create(ann, trigger=trigger, action=action)
        topic = f"events.{job['event_subscription_id']}"
        event = {"event_id": "neo-n3:0x" + "12" * 32 + ":0", "name": "Stored", "args": {}}
        for n, kind in enumerate(("event", "retracted")):
            payload = {
                "type": kind,
                "subscription_id": job["event_subscription_id"],
                "delivery_id": f"d{n}",
                "event_id": event["event_id"],
                "event": event,
            }
            await api.runtime.ctx.bus.publish(Event(f"m{n}", topic, payload, clock.now()))

            async def seen(count: int = n + 1) -> bool:
                return len(await api.executions(ann, job["id"])) == 1 and (
                    count == 1 or (await api.executions(ann, job["id"]))[0]["status"] != "pending"
                )

            await eventually(seen, within=10)
        (execution,) = await api.executions(ann, job["id"])
        assert execution["status"] == "cancelled" and execution["error"] == "retracted"
        await api.tick()
        assert receiver.requests == []
