"""The platform service: adapter health checks and the outbox relay, run by ServiceBase."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import ClassVar

from fastapi import APIRouter

from nsl.adapters.inbox import purge_processed
from nsl.core.context import ServiceContext
from nsl.core.health import Check, Status
from nsl.core.service import ServiceBase
from nsl.runtime.adapters import Adapters
from nsl.runtime.chains_view import chains_router

PUBLISHED_RETENTION = timedelta(days=7)


class PlatformService(ServiceBase):
    """Always present: relays the outbox and reports the database, cache, bus and limiter."""

    name: ClassVar[str] = "platform"  # also serves /api/v1/chains
    phase: ClassVar[int] = 1
    description: ClassVar[str] = "database, cache, bus, rate limiter, outbox relay"

    def __init__(self, ctx: ServiceContext, adapters: Adapters) -> None:
        super().__init__(ctx)
        self.adapters = adapters
        self.every(ctx.settings.outbox.poll_interval_s, "outbox-relay", self._relay)
        self.every(3600, "outbox-purge", self._purge)

    async def _relay(self) -> None:
        await self.adapters.relay.relay_once()

    async def _purge(self) -> None:
        cutoff = self.ctx.clock.now() - PUBLISHED_RETENTION
        await self.adapters.relay.purge_published(cutoff)
        await purge_processed(self.adapters.database, cutoff)

    async def checks(self) -> list[Check]:
        a = self.adapters
        checks = [await a.database.health(), await a.enclave.health()]
        for check in (await a.cache.health(), await a.bus.health(), await a.rate_limiter.health()):
            checks.append(_degraded_at_worst(check))
        # a chain outage fails the calls that need it, not the whole platform
        checks.extend(_degraded_at_worst(chain.check()) for chain in a.chains.all())
        return checks

    def routes(self) -> APIRouter:
        return chains_router(self.adapters.chains)


def _degraded_at_worst(check: Check) -> Check:
    """Cache, bus and limiter outages degrade the platform: requests go on, events wait."""
    if check.status is Status.DOWN:
        return replace(check, status=Status.DEGRADED)
    return check
