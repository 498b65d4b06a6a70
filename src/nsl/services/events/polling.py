"""The poller: one replica per chain (a lease) reads confirmed events past each subscription's
cursor and, in one transaction, creates their deliveries and moves the cursors.

Each round first compares remembered block hashes with the chain (``reorg``); on a mismatch
it retracts deliveries of orphaned events and rewinds cursors to the fork point, so the new
branch is scanned again. Delivery rows are unique per (subscription, event id, kind): a round
replayed after a crash creates nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from nsl.core.chain import NEO_N3, BlockRef, Chain, ChainEvent
from nsl.services.events import planning, reorg
from nsl.services.events.base import Emitted, EventsBase
from nsl.services.events.matching import jsonable, matches
from nsl.services.events.models import Subscription
from nsl.services.events.repository import EventsRepository
from nsl.services.events.retraction import retract

log = logging.getLogger(__name__)

PARALLEL_READS = 8  # block headers read at once


@dataclass
class PollState:
    """What this process knows of a chain's polling, for health."""

    standby: bool = False
    height: int | None = None
    lag: int | None = None


class ChainMoved(Exception):
    """Events and block hashes read in one round disagree: a reorg is under way."""


class PollingUseCases(EventsBase):
    _poll_locks: dict[str, asyncio.Lock]
    poll_state: dict[str, PollState]
    leases_held: set[str]

    def lease_name(self, chain: str) -> str:
        return f"events.poll.{chain}"

    async def poll(self, chain: str) -> None:
        """One polling round on ``chain`` if this process holds (or takes) its lease."""
        async with self._poll_locks.setdefault(chain, asyncio.Lock()):
            held = await self.ctx.leases.try_acquire(
                self.lease_name(chain), self.ctx.instance_id, self.settings.lease_ttl_s
            )
            if not held:
                self.leases_held.discard(chain)
                self.poll_state[chain] = PollState(standby=True)
                return
            self.leases_held.add(chain)
            try:
                await self._round(chain, self.ctx.chains.get(chain))
            except ChainMoved as exc:
                log.info("events: %s moved during a poll (%s); the next round rechecks", chain, exc)

    async def _round(self, name: str, chain: Chain) -> None:
        height = await chain.height()
        await self._check_reorg(name, chain, height)
        async with self.ctx.database.session() as session:
            rows = await EventsRepository(session).active(name)
        subscriptions = {s.id: s for s, _ in rows}
        wanted = [
            planning.Wanted(s.id, s.contract, s.event_name, s.abi, s.confirmations, c.block_number)
            for s, c in rows
        ]
        queries = planning.plan(wanted, height, self.settings.max_blocks_per_poll)
        found = [await self._events(chain, q) for q in queries]
        blocks = await self._blocks(chain, queries, found, height)
        emitted = await self._commit(name, subscriptions, queries, found, blocks, height)
        self.count(emitted)
        self._note_lag(name, height, wanted, queries)

    async def _events(self, chain: Chain, query: planning.Query) -> list[ChainEvent]:
        # Neo X finds events by name only through an ABI; without one, names are matched here.
        names = query.names if query.abi is not None or chain.name == NEO_N3 else None
        return await chain.events(
            query.contract, query.first, query.last, names=names, abi=query.abi
        )

    async def _blocks(
        self,
        chain: Chain,
        queries: list[planning.Query],
        found: list[list[ChainEvent]],
        height: int,
    ) -> dict[int, BlockRef]:
        """Every block processed within the reorg window (so a later walk-back finds the exact
        fork point), each window's last block and each event's block, read after the events;
        an event whose block hash changed since means the chain moved under us."""
        oldest = height - self.settings.reorg_window_blocks + 1
        numbers = {e.block_number for events in found for e in events}
        for window in (w for q in queries for w in q.windows):
            numbers |= {window.last, *range(max(window.first, oldest), window.last + 1)}
        gate = asyncio.Semaphore(PARALLEL_READS)

        async def read(number: int) -> BlockRef:
            async with gate:
                return await chain.block(number)

        ordered = sorted(numbers)
        blocks = dict(zip(ordered, await asyncio.gather(*map(read, ordered)), strict=True))
        for events in found:
            for event in events:
                if not reorg.same_hash(blocks[event.block_number].hash, event.block_hash):
                    raise ChainMoved(f"block {event.block_number} changed hash")
        return blocks

    async def _commit(
        self,
        name: str,
        subscriptions: dict[str, Subscription],
        queries: list[planning.Query],
        found: list[list[ChainEvent]],
        blocks: dict[int, BlockRef],
        height: int,
    ) -> list[Emitted | None]:
        emitted: list[Emitted | None] = []
        now = self.ctx.clock.now()
        async with self.ctx.database.session() as session:
            repo = EventsRepository(session)
            ids = [w.subscription_id for q in queries for w in q.windows]
            cursors = await repo.cursors(ids, lock=True)
            for query, events in zip(queries, found, strict=True):
                ordered = sorted(events, key=lambda e: (e.block_number, e.index))
                for window in query.windows:
                    cursor = cursors.get(window.subscription_id)
                    if cursor is None or cursor.block_number != window.first - 1:
                        continue  # paused, deleted or moved by another poller meanwhile
                    sub = subscriptions[window.subscription_id]
                    for event in ordered:
                        if window.first <= event.block_number <= window.last and matches(
                            event, sub.event_name, sub.filters
                        ):
                            block_time = _time(blocks[event.block_number])
                            payload = jsonable(event.to_json())
                            emitted.append(
                                await self.emit(
                                    session, sub, "event", payload, event.block_number, block_time
                                )
                            )
                    cursor.block_number, cursor.block_hash = window.last, blocks[window.last].hash
                    cursor.updated_at = now
            oldest = height - self.settings.reorg_window_blocks + 1
            await repo.remember(name, [b for b in blocks.values() if b.number >= oldest])
            await repo.forget(name, below=oldest)
        return emitted

    async def _check_reorg(self, name: str, chain: Chain, height: int) -> None:
        async with self.ctx.database.session() as session:
            remembered = await EventsRepository(session).remembered(name)
        if not remembered:
            return

        async def hash_at(number: int) -> str:
            return (await chain.block(number)).hash

        walk = await reorg.walk_back(remembered, height, hash_at)
        if not walk.reorged:
            return
        self.telemetry.reorgs.labels(name).inc()
        if walk.fork_point is None:
            log.error(
                "events: %s reorganised deeper than the %d remembered blocks; rescanning from %d",
                name,
                len(remembered),
                walk.rescan_from(),
            )
        else:
            log.warning(
                "events: %s reorganised above block %d (%d remembered blocks orphaned)",
                name,
                walk.fork_point,
                len(walk.orphaned),
            )
        fork = walk.rescan_from() - 1
        fork_hash = dict(remembered).get(fork) if walk.fork_point is not None else None
        self.count(await retract(self, name, fork, fork_hash))

    def _note_lag(
        self, name: str, height: int, wanted: list[planning.Wanted], queries: list[planning.Query]
    ) -> None:
        """Blocks the furthest-behind subscription still has to process after this round."""
        done = {w.subscription_id: w.last for q in queries for w in q.windows}
        lag = 0
        for item in wanted:
            cursor = done.get(item.subscription_id, item.cursor)
            lag = max(lag, height - item.confirmations - cursor)
        self.poll_state[name] = PollState(height=height, lag=lag)
        self.telemetry.lag.labels(name).set(lag)


def _time(block: BlockRef) -> datetime:
    return datetime.fromtimestamp(block.timestamp, UTC)
