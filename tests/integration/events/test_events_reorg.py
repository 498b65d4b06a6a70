"""A Hardhat reorg (evm_snapshot, emit, evm_revert, mine another branch) retracts the orphaned
event: webhook subscribers get a ``retracted`` message with the same event id, inbox
subscribers a retraction entry (and the original flagged), and the new branch is delivered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from events_harness import NX_ABI, Api, Emitter, Receiver, make_settings, stored_ids
from tests.chain_helpers import node_rpc

from nsl.core.clock import ManualClock


async def test_an_orphaned_event_is_retracted_and_the_new_branch_delivered(
    tmp_path: Path, chains: dict[str, Any], clock: ManualClock, receiver: Receiver, dev_chains: Any
) -> None:
    url = dev_chains.neo_x_url
    emitter = await Emitter(tmp_path, chains, "neo-x").open(dev_chains)
    try:
        await emitter.deploy()
        async with Api(make_settings(tmp_path, chains), clock) as api:
            alice = await api.user("alice")
            common = {
                "chain": "neo-x",
                "contract": emitter.contract,
                "event_name": "Stored",
                "confirmations": 0,
                "abi": NX_ABI,
            }
            hook = await api.subscribe(
                alice, **common, delivery={"type": "webhook", "url": receiver.url}
            )
            box = await api.subscribe(alice, **common, delivery={"type": "inbox"})

            snapshot = await node_rpc(url, "evm_snapshot")
            (orphan,) = stored_ids(await emitter.store(31, 1, "orphan"))
            await node_rpc(url, "evm_mine")
            await api.poll("neo-x")
            await api.deliver()
            assert receiver.event_ids() == [orphan]

            assert await node_rpc(url, "evm_revert", snapshot) is True
            await emitter.reconnect()
            (kept,) = stored_ids(await emitter.store(32, 2, "new branch"))
            for _ in range(3):
                await node_rpc(url, "evm_mine")
            await api.poll("neo-x")
            await api.deliver()

            assert receiver.event_ids("retracted") == [orphan]
            assert receiver.event_ids() == [orphan, kept]
            retraction = next(r for r in receiver.requests if r.json["type"] == "retracted")
            assert retraction.json["event"]["event_id"] == orphan
            assert retraction.headers["X-NSL-Event-Kind"] == "retracted"

            history = await api.get(f"/subscriptions/{hook['id']}/deliveries", alice)
            by_kind = {(d["event_id"], d["kind"]): d for d in history["items"]}
            assert by_kind[(orphan, "event")]["retracted"] is True
            assert by_kind[(orphan, "retracted")]["status"] == "delivered"
            assert by_kind[(kept, "event")]["retracted"] is False

            inbox = await api.get(f"/subscriptions/{box['id']}/inbox", alice)
            entries = [(e["event_id"], e["kind"], e["retracted"]) for e in inbox["items"]]
            assert entries == [
                (orphan, "event", True),
                (orphan, "retracted", False),
                (kept, "event", False),
            ]
            assert (
                api.runtime.metrics.registry.get_sample_value(
                    "nsl_events_reorgs_total", {"chain": "neo-x"}
                )
                == 1.0
            )
    finally:
        await emitter.close()
