"""The automation service: jobs owned by principals, fired by time (cron, interval, one-shot),
block height, oracle price conditions, contract events or signed webhooks, running contract
invocations, signed webhooks or notifications, exactly once per due time across replicas."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from fastapi import APIRouter

from nsl.core.context import ServiceContext
from nsl.services.automation.hooks import HookUseCases
from nsl.services.automation.jobs import JobUseCases
from nsl.services.automation.router import build_router
from nsl.services.automation.runner import RunnerUseCases

WEBHOOKS_IN_FLIGHT = 64  # beyond this httpx's pool scans its queue quadratically
TICK_TASK, WATCH_TASK, RENEW_TASK, TRIM_TASK = "tick", "watch", "renew", "trim"


class AutomationService(JobUseCases, HookUseCases, RunnerUseCases):
    name: ClassVar[str] = "automation"
    phase: ClassVar[int] = 1
    depends_on: ClassVar[tuple[str, ...]] = ("auth",)
    description: ClassVar[str] = "scheduled and triggered contract calls and webhooks"

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.inflight = {}
        self.outcomes = []
        self.senders = asyncio.Semaphore(WEBHOOKS_IN_FLIGHT)
        s = self.settings
        self.every(s.tick_interval_s, TICK_TASK, self.tick)
        self.every(s.watch_interval_s, WATCH_TASK, self.watch)
        self.every(max(s.lease_ttl_s / 3, 0.1), RENEW_TASK, self.renew)
        self.every(60.0, TRIM_TASK, self.trim)

    def routes(self) -> APIRouter:
        return build_router(self)

    async def on_start(self) -> None:
        await self.consume_events()

    async def on_stop(self) -> None:
        """Running actions are cancelled: their leases expire and another replica takes over."""
        for task in list(self.inflight.values()):
            task.cancel()
        await asyncio.gather(*self.inflight.values(), return_exceptions=True)
        if self.flushing is not None:
            await asyncio.gather(self.flushing, return_exceptions=True)
        if self.http is not None:
            await self.http.aclose()
            self.http = None
