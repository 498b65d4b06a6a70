"""Oracle use cases: feeds and their rounds (observe, propose, sign, finalize, push), reads
with freshness, the latest signed report, report verification, arbitrary requests, usage.

Every node runs the ``rounds`` task; the holder of a feed's lease also proposes, finalizes
and pushes that feed's rounds (docs/decisions/0018-oracle-consensus.md).
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from fastapi import APIRouter

from nsl.core.context import ServiceContext
from nsl.core.health import Check, Status
from nsl.core.service import FastRoute
from nsl.services.oracle import consensus, delivery, observing
from nsl.services.oracle.base import latest_key
from nsl.services.oracle.feeds import FeedUseCases
from nsl.services.oracle.hotpath import TEMPLATE, LatestReadApp
from nsl.services.oracle.models import OracleFeed
from nsl.services.oracle.repository import PROPOSED, OracleRepository
from nsl.services.oracle.router import build_router

log = logging.getLogger(__name__)
USAGE_FLUSH_S = 5.0


class OracleService(FeedUseCases):
    """Signed multi-node price feeds for Neo N3 and Neo X, and arbitrary signed requests."""

    name: ClassVar[str] = "oracle"
    phase: ClassVar[int] = 3
    depends_on: ClassVar[tuple[str, ...]] = ("auth",)
    description: ClassVar[str] = "signed multi-node price feeds and requests"

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.every(self.settings.round_interval_s, "rounds", self.run_rounds)
        self.every(USAGE_FLUSH_S, "usage-flush", self.meter.flush)

    async def on_start(self) -> None:
        await self.keys.load()

    async def on_stop(self) -> None:
        await self.meter.flush()
        await self.http.aclose()
        self.http = self._http()

    async def checks(self) -> list[Check]:
        checks = [self.keys.check()]
        if self.refused:
            detail = ", ".join(f"{f}: {r}" for f, r in sorted(self.refused.items()))
            checks.append(Check("oracle.rounds", Status.DEGRADED, f"refused: {detail}"))
        else:
            checks.append(Check("oracle.rounds", Status.OK))
        return checks

    def routes(self) -> APIRouter:
        return build_router(self)

    def fast_routes(self) -> list[FastRoute]:
        app = LatestReadApp(self)
        return [FastRoute(TEMPLATE, lambda scope: app.feed_of(scope) is not None, app)]

    # rounds -----------------------------------------------------------------------------
    async def run_rounds(self) -> None:
        async with self.ctx.database.session() as session:
            feeds = list(await OracleRepository(session).active_feeds())
        failures = 0
        for feed in feeds:
            try:
                await self.round_step(feed)
            except Exception as exc:  # noqa: BLE001 - one feed's failure must not stop the others
                failures += 1
                log.warning("oracle feed %s: round step failed: %s", feed.name, exc)
        if failures:
            raise RuntimeError(f"{failures} of {len(feeds)} feeds failed their round step")

    async def round_step(self, feed: OracleFeed) -> None:
        """One pass for one feed: observe, sign a proposal, and (lease holder) propose/finalize."""
        async with self.ctx.database.session() as session:
            repo = OracleRepository(session)
            latest = await repo.latest_final(feed.name)
            round_id = (latest.round_id if latest else 0) + 1
            current = await repo.round(feed.name, round_id)
            observed = {o.node_id for o in await repo.observations(feed.name, round_id)}
            signed = {s.node_id for s in await repo.signatures(current.id)} if current else set()
        self._gauges(feed, latest)
        node = self.keys.own().node_id
        if current is None and node not in observed:
            await observing.observe(self, feed, round_id, latest)
        async with self.ctx.database.session() as session:
            fresh = await OracleRepository(session).feed(feed.name)
        self._note_refusal(fresh or feed, latest)
        if current is not None and current.status == PROPOSED and node not in signed:
            await consensus.endorse(self, feed, current)
        lease = f"oracle/feed/{feed.name}"
        if not await self.ctx.leases.try_acquire(
            lease, self.ctx.instance_id, self.settings.lease_ttl_s
        ):
            return
        if current is None and await consensus.try_propose(self, feed, round_id):
            async with self.ctx.database.session() as session:
                current = await OracleRepository(session).round(feed.name, round_id)
            if current is not None:  # the proposer signs it at once
                await consensus.endorse(self, feed, current)
        if (
            current is not None
            and current.status == PROPOSED
            and await consensus.try_finalize(self, feed, current)
        ):
            await self.ctx.cache.delete(latest_key(feed.name))
            await delivery.push(self, current)
            self._gauges(feed, current)

    def _note_refusal(self, feed: OracleFeed, latest: Any) -> None:
        refusal = feed.last_refusal
        if refusal is not None and (
            latest is None or int(refusal.get("at", 0)) >= latest.timestamp
        ):
            self.refused[feed.name] = str(refusal.get("reason"))
        else:
            self.refused.pop(feed.name, None)

    def _gauges(self, feed: OracleFeed, latest: Any) -> None:
        self.telemetry.heartbeat.labels(feed.name).set(feed.heartbeat_s)
        since = latest.timestamp if latest is not None else feed.created_at.timestamp()
        age = max(self.ctx.clock.now().timestamp() - since, 0.0)
        self.telemetry.feed_age.labels(feed.name).set(age)
