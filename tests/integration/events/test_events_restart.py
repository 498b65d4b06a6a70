"""A restart resumes from the cursor: events emitted while the service is down are delivered,
deliveries created but not yet sent are sent, and nothing is delivered twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from events_harness import NX_ABI, Api, Emitter, Receiver, make_settings, stored_ids

from nsl.core.clock import ManualClock


async def test_restart_resumes_from_the_cursor_without_duplicates_or_gaps(
    tmp_path: Path, chains: dict[str, Any], clock: ManualClock, receiver: Receiver, dev_chains: Any
) -> None:
    emitter = await Emitter(tmp_path, chains, "neo-x").open(dev_chains)
    try:
        await emitter.deploy()
        settings = make_settings(tmp_path, chains)
        emitted: list[str] = []

        async def emit(key: int) -> None:
            emitted.extend(stored_ids(await emitter.store(key, key * 10)))

        async with Api(settings, clock) as first:
            alice = await first.user("alice")
            sub = await first.subscribe(
                alice,
                chain="neo-x",
                contract=emitter.contract,
                event_name="Stored",
                confirmations=0,
                abi=NX_ABI,
                delivery={"type": "webhook", "url": receiver.url},
            )
            await emit(1)
            await emit(2)
            await first.poll("neo-x")
            await first.deliver()
            assert receiver.event_ids() == emitted[:2]
            await emit(3)
            await first.poll("neo-x")  # delivery recorded, not yet sent when the process stops
        await emit(4)
        await emit(5)  # while no service runs

        async with Api(settings, clock) as second:
            await second.poll("neo-x")
            await second.deliver()
            await second.poll("neo-x")
            await second.deliver()
            assert receiver.event_ids() == emitted  # each once, in chain order
            history = await second.get(f"/subscriptions/{sub['id']}/deliveries", alice)
            assert history["total"] == 5
            assert {d["status"] for d in history["items"]} == {"delivered"}
            rows = await second.rows(
                "SELECT event_id FROM events_deliveries WHERE subscription_id = :s", s=sub["id"]
            )
            assert sorted(r["event_id"] for r in rows) == sorted(emitted)
    finally:
        await emitter.close()


async def test_one_replica_polls_a_chain_at_a_time(
    tmp_path: Path, chains: dict[str, Any], clock: ManualClock, receiver: Receiver, dev_chains: Any
) -> None:
    emitter = await Emitter(tmp_path, chains, "neo-x").open(dev_chains)
    try:
        await emitter.deploy()
        settings = make_settings(tmp_path, chains)
        async with Api(settings, clock) as first, Api(settings, clock) as second:
            alice = await first.user("alice")
            await first.subscribe(
                alice,
                chain="neo-x",
                contract=emitter.contract,
                event_name="Stored",
                confirmations=0,
                abi=NX_ABI,
                delivery={"type": "webhook", "url": receiver.url},
            )
            await first.poll("neo-x")
            await second.poll("neo-x")
            standby = {c.name: c for c in (await second.service.health()).checks}
            assert standby["events.poll.neo-x"].detail.startswith("standby")
            (event_id,) = stored_ids(await emitter.store(41, 1))
            await second.poll("neo-x")
            await second.deliver()
            assert receiver.requests == []  # the standby replica read nothing
            await first.poll("neo-x")
            await second.deliver()  # any replica sends what the poller recorded
            assert receiver.event_ids() == [event_id]

            await first.runtime.stop()  # releases its lease
            (later,) = stored_ids(await emitter.store(42, 2))
            await second.poll("neo-x")
            await second.deliver()
            assert receiver.event_ids() == [event_id, later]
            active = {c.name: c for c in (await second.service.health()).checks}
            assert active["events.poll.neo-x"].detail.startswith("0 blocks behind")
    finally:
        await emitter.close()
