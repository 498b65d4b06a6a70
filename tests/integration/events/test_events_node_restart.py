"""The chain node restarts mid-subscription: while it is down polling fails; once it is back,
delivery resumes from the cursor with no duplicate and no gap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from events_harness import Api, Emitter, Receiver, make_settings, stored_ids

from nsl.chains.devnet.neo_go import NeoGoNode
from nsl.core.clock import ManualClock

MAGIC = 7_040_001


class OwnNode:
    """A neo-go node of this test alone (the session's shared one is not restarted)."""

    def __init__(self, workdir: Path) -> None:
        self.node = NeoGoNode(workdir, MAGIC, 100)

    async def fund(self, chain: str, address: str, amount: int) -> str:
        return await self.node.fund(address, amount)


async def test_delivery_resumes_after_the_node_restarts(
    tmp_path: Path, clock: ManualClock, receiver: Receiver, dev_chains: Any
) -> None:
    own = OwnNode(tmp_path / "node")
    own.node.start()
    chains = dev_chains.settings_overrides()
    chains["neo_n3"] = {"network": "local", "endpoints": [own.node.rpc_url], "network_id": MAGIC}
    overrides = {"chains": chains}
    emitter = await Emitter(tmp_path, overrides, "neo-n3").open(own)
    try:
        await emitter.deploy()
        emitted: list[str] = []
        async with Api(make_settings(tmp_path, overrides, max_attempts=1), clock) as api:
            alice = await api.user("alice")
            await api.subscribe(
                alice,
                chain="neo-n3",
                contract=emitter.contract,
                event_name="Stored",
                confirmations=0,
                delivery={"type": "webhook", "url": receiver.url},
            )
            emitted.extend(stored_ids(await emitter.store("a", 1)))
            await api.poll("neo-n3")
            await api.deliver()
            assert receiver.event_ids() == emitted

            emitted.extend(stored_ids(await emitter.store("b", 2)))  # not yet polled
            own.node.stop()
            await api.poll("neo-n3")  # fails: the node is gone
            await api.deliver()
            assert receiver.event_ids() == emitted[:1]

            own.node.start()  # same port, same chain (its state is on disk)
            await emitter.reconnect()
            emitted.extend(stored_ids(await emitter.store("c", 3)))
            await api.poll("neo-n3")
            await api.deliver()
            await api.poll("neo-n3")
            await api.deliver()
            assert receiver.event_ids() == emitted  # each once, in chain order
    finally:
        await emitter.close()
        own.node.stop()
