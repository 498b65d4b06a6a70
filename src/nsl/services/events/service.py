"""The events service: subscriptions to contract events on Neo N3 and Neo X, delivered to a
signed webhook, the internal bus or a polled inbox; reorg-safe, exactly once per event and
subscription across restarts (see ``polling``), with retries and dead letters (``webhooks``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import ClassVar

from fastapi import APIRouter

from nsl.core.context import ServiceContext
from nsl.core.health import Check, Status
from nsl.services.events.delivery_queries import DeliveryQueries
from nsl.services.events.history import HistoryUseCases
from nsl.services.events.polling import PollingUseCases
from nsl.services.events.repository import EventsRepository
from nsl.services.events.router import build_router
from nsl.services.events.subscriptions import SubscriptionUseCases
from nsl.services.events.webhooks import WebhookUseCases

DELIVER_TASK = "deliver"
PURGE_TASK = "purge"


def poll_task(chain: str) -> str:
    return f"poll-{chain}"


class EventsService(SubscriptionUseCases, HistoryUseCases, PollingUseCases, WebhookUseCases):
    name: ClassVar[str] = "events"
    phase: ClassVar[int] = 3
    depends_on: ClassVar[tuple[str, ...]] = ("auth",)
    description: ClassVar[str] = "contract event subscriptions: webhook, bus or inbox delivery"

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self._poll_locks = {}
        self.poll_state = {}
        self.leases_held = set()
        self.chains = [c.name for c in ctx.chains.all()]
        for chain in self.chains:
            self.every(self.settings.poll_interval_s, poll_task(chain), self._poller(chain))
        self.every(self.settings.delivery_interval_s, DELIVER_TASK, self.deliver_due)
        self.every(3600.0, PURGE_TASK, self.purge)

    def _poller(self, chain: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self.poll(chain)

        return run

    def routes(self) -> APIRouter:
        return build_router(self)

    async def on_stop(self) -> None:
        for chain in sorted(self.leases_held):
            await self.ctx.leases.release(self.lease_name(chain), self.ctx.instance_id)
        self.leases_held.clear()
        if self.http is not None:
            await self.http.aclose()
            self.http = None

    async def checks(self) -> list[Check]:
        """Poll lag per chain (or standby while another replica polls it)."""
        checks = []
        for chain in self.chains:
            name = f"events.poll.{chain}"
            state = self.poll_state.get(chain)
            if state is None or (state.lag is None and not state.standby):
                checks.append(Check(name, Status.OK, "no poll yet"))
            elif state.standby:
                checks.append(Check(name, Status.OK, "standby: another replica polls this chain"))
            else:
                lag = state.lag or 0
                status = Status.DEGRADED if lag > self.settings.lag_warn_blocks else Status.OK
                checks.append(Check(name, status, f"{lag} blocks behind height {state.height}"))
        return checks

    async def purge(self) -> None:
        """Drop finished deliveries and inbox entries older than the retention period."""
        before = self.ctx.clock.now() - timedelta(days=self.settings.retention_days)
        async with self.ctx.database.session() as session:
            await DeliveryQueries(session).purge(before)
            await EventsRepository(session).purge_inbox(before)
