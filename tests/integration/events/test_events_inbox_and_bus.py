"""Inbox and bus delivery on the real Neo N3 dev chain (neo-go): filtered events reach a
polled inbox (read on, acknowledge) and the internal bus through the outbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from events_harness import Api, Emitter, make_settings, stored_ids
from tests.polling import eventually

from nsl.core.clock import ManualClock
from nsl.core.ports import Event


async def test_inbox_and_bus_subscribers_get_filtered_events_on_neo_n3(
    tmp_path: Path, chains: dict[str, Any], clock: ManualClock, dev_chains: Any
) -> None:
    emitter = await Emitter(tmp_path, chains, "neo-n3").open(dev_chains)
    try:
        contract = await emitter.deploy()
        async with Api(make_settings(tmp_path, chains), clock) as api:
            alice = await api.user("alice")
            common = {"chain": "neo-n3", "contract": contract, "event_name": "Stored"}
            box = await api.subscribe(
                alice, **common, filters={"key": "a"}, delivery={"type": "inbox"}
            )
            assert box["confirmations"] == 1  # the Neo N3 default
            bus = await api.subscribe(alice, **common, delivery={"type": "bus"})
            assert bus["delivery"]["topic"] == f"events.{bus['id']}"
            published: list[Event] = []

            async def collect(event: Event) -> None:
                published.append(event)

            await api.runtime.ctx.bus.subscribe("events-test", f"events.{bus['id']}", collect)

            first = list(stored_ids(await emitter.store("a", 1)))
            other = list(stored_ids(await emitter.store("b", 2)))
            second = list(stored_ids(await emitter.store("a", 3)))
            assert first[0].startswith("neo-n3:0x")
            path = f"/subscriptions/{box['id']}/inbox"

            async def all_in() -> bool:
                await api.poll("neo-n3")
                return len((await api.get(path, alice))["items"]) >= 2

            await eventually(all_in, within=30, interval=0.05)
            inbox = await api.get(path, alice)
            assert [e["event_id"] for e in inbox["items"]] == first + second
            assert [int(e["event"]["args"]["value"]) for e in inbox["items"]] == [1, 3]
            assert all(e["event"]["args"]["key"] == "a" for e in inbox["items"])

            head = inbox["items"][0]["seq"]
            read_on = await api.get(path, alice, after=head)
            assert [e["event_id"] for e in read_on["items"]] == second
            acked = await api.http.post(
                f"/api/v1/events{path}/ack", json={"up_to": head}, headers=alice
            )
            assert acked.status_code == 200 and acked.json() == {"acked": head}
            assert [e["event_id"] for e in (await api.get(path, alice))["items"]] == second

            async def relayed() -> bool:
                await api.runtime.platform.run_task_once("outbox-relay")
                return len(published) >= 3

            await eventually(relayed, within=10, interval=0.02)
            assert [e.payload["event_id"] for e in published] == first + other + second
            assert {e.payload["type"] for e in published} == {"event"}
            assert published[1].payload["event"]["args"]["key"] == "b"
    finally:
        await emitter.close()
