"""Use cases on what a subscription produced: delivery history, dead letters (and sending one
again), and the inbox a polling subscriber reads and acknowledges."""

from __future__ import annotations

from typing import Any

from nsl.core.security import Principal
from nsl.services.events import rules
from nsl.services.events.base import EventsBase
from nsl.services.events.delivery_queries import DEAD, PENDING, DeliveryQueries
from nsl.services.events.errors import DeliveryNotFound, NotRetryable, WrongDelivery
from nsl.services.events.repository import EventsRepository
from nsl.services.events.views import delivery_view, inbox_view, page


class HistoryUseCases(EventsBase):
    async def deliveries(
        self,
        subscription_id: str,
        *,
        principal: Principal,
        status: str | None,
        page_number: int,
        page_size: int,
        dead_only: bool = False,
    ) -> dict[str, Any]:
        """Newest first, with each delivery's attempts (``dead_only``: the dead letters)."""
        async with self.operation("dead_letters" if dead_only else "deliveries"):
            offset = rules.paging(page_number, page_size)
            wanted = rules.one_of(status, rules.DELIVERY_STATUSES, "status")
            statuses = (DEAD,) if dead_only else (wanted,) if wanted else None
            async with self.ctx.database.session() as session:
                await self.owned(EventsRepository(session), subscription_id, principal)
                total, rows = await DeliveryQueries(session).page(
                    subscription_id, statuses, offset, page_size
                )
                items = [delivery_view(r) for r in rows]
            return page(items, total, page_number, page_size)

    async def retry(
        self, subscription_id: str, delivery_id: str, *, principal: Principal
    ) -> dict[str, Any]:
        """Send a dead-lettered delivery again now, with a fresh attempt budget."""
        async with self.operation("retry"), self.ctx.database.session() as session:
            await self.owned(EventsRepository(session), subscription_id, principal)
            queries = DeliveryQueries(session)
            row = await queries.get(subscription_id, delivery_id)
            if row is None:
                raise DeliveryNotFound(f"no delivery {delivery_id!r} in this subscription")
            row = await queries.locked(row.id) or row
            if row.status != DEAD:
                raise NotRetryable(f"delivery {delivery_id} is {row.status}, not a dead letter")
            now = self.ctx.clock.now()
            row.status, row.attempts, row.dead_at = PENDING, 0, None
            row.next_attempt_at = row.window_started_at = now
            return delivery_view(row)

    async def inbox(
        self, subscription_id: str, *, principal: Principal, after: int | None, limit: int
    ) -> dict[str, Any]:
        """Entries past ``after`` (default: past the last acknowledged one), oldest first."""
        async with self.operation("inbox"):
            if not 1 <= limit <= rules.INBOX_LIMIT_MAX:
                raise rules.InvalidInput.on(
                    "limit", "range", f"between 1 and {rules.INBOX_LIMIT_MAX}"
                )
            if after is not None and after < 0:
                raise rules.InvalidInput.on("after", "range", "0 or more")
            async with self.ctx.database.session() as session:
                repo = EventsRepository(session)
                row, _ = await self.owned(repo, subscription_id, principal)
                _inbox_only(row.delivery)
                start = row.inbox_acked if after is None else after
                entries = await repo.inbox(subscription_id, start, limit)
            items = [inbox_view(e) for e in entries]
            cursor = entries[-1].seq if entries else start
            return {"items": items, "next_after": cursor, "acked": row.inbox_acked}

    async def ack(
        self, subscription_id: str, up_to: int, *, principal: Principal
    ) -> dict[str, Any]:
        """Drop entries up to ``up_to``; polling without ``after`` then starts past them."""
        async with self.operation("ack"), self.ctx.database.session() as session:
            repo = EventsRepository(session)
            row, _ = await self.owned(repo, subscription_id, principal)
            _inbox_only(row.delivery)
            await repo.ack(subscription_id, up_to)
            return {"acked": max(row.inbox_acked, up_to)}


def _inbox_only(delivery: str) -> None:
    if delivery != "inbox":
        raise WrongDelivery(f"this subscription delivers by {delivery}, not to an inbox")
