"""Use cases on subscriptions: create (the webhook secret is returned this once), read, list,
pause, resume and delete."""

from __future__ import annotations

from typing import Any

from nsl.core.chain import NEO_N3, chain_name
from nsl.core.ids import new_id
from nsl.core.security import Principal
from nsl.services.events import rules, signing
from nsl.services.events.base import EventsBase, seal_context
from nsl.services.events.errors import QuotaExceeded
from nsl.services.events.models import Cursor, Subscription
from nsl.services.events.repository import EventsRepository
from nsl.services.events.schemas import CreateSubscription
from nsl.services.events.views import page, subscription_view


class SubscriptionUseCases(EventsBase):
    async def create(self, body: CreateSubscription, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("create"):
            chain = chain_name(body.chain)
            default = (
                self.settings.confirmations_neo_n3
                if chain == NEO_N3
                else self.settings.confirmations_neo_x
            )
            name = rules.event_name(body.event_name)
            filters = rules.filters(body.filters)
            row = Subscription(
                id=new_id(),
                owner_id=principal.id,
                chain=chain,
                contract=rules.contract(body.contract),
                event_name=name,
                filters=filters,
                confirmations=rules.confirmations(
                    body.confirmations, default, self.settings.max_confirmations
                ),
                abi=rules.abi(body.abi, chain, name, filters),
                delivery=body.delivery.type,
                webhook_url=None,
                webhook_secret_sealed=None,
                status="active",
                description=body.description,
                inbox_acked=0,
            )
            start = rules.start_block(body.start_block)
            if body.delivery.type == "webhook":
                row.webhook_url = rules.webhook_url(body.delivery.url, self.private_allowed())
            elif body.delivery.url is not None:
                raise rules.InvalidInput.on("delivery.url", "webhook_only", "only for webhooks")
            await self._check_quota(principal)
            if start is None:
                start = await self.ctx.chains.get(chain).height()
            row.start_block = start
            secret = None
            if row.delivery == "webhook":  # sealed before the transaction: no enclave call in it
                secret = signing.new_secret()
                row.webhook_secret_sealed = await self.ctx.enclave.seal(
                    seal_context(row.id), secret.encode()
                )
            now = self.ctx.clock.now()
            row.created_at = row.updated_at = now
            cursor = Cursor(
                subscription_id=row.id,
                chain=chain,
                block_number=start - 1,
                block_hash=None,
                updated_at=now,
            )
            async with self.ctx.database.session() as session:
                repo = EventsRepository(session)
                repo.add(row)
                repo.add(cursor)
            view = subscription_view(row, cursor)
            if secret is not None:
                view["delivery"]["secret"] = secret
            return view

    async def _check_quota(self, principal: Principal) -> None:
        async with self.ctx.database.session() as session:
            owned = await EventsRepository(session).count_owned(principal.id)
        if owned >= self.settings.max_subscriptions:
            raise QuotaExceeded(f"you already hold {self.settings.max_subscriptions} subscriptions")

    async def get(self, subscription_id: str, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("get"), self.ctx.database.session() as session:
            row, cursor = await self.owned(EventsRepository(session), subscription_id, principal)
            return subscription_view(row, cursor)

    async def list_subscriptions(
        self,
        *,
        principal: Principal,
        chain: str | None,
        status: str | None,
        page_number: int,
        page_size: int,
    ) -> dict[str, Any]:
        async with self.operation("list"):
            offset = rules.paging(page_number, page_size)
            chain = chain_name(chain) if chain is not None else None
            status = rules.one_of(status, rules.STATUSES, "status")
            async with self.ctx.database.session() as session:
                total, rows = await EventsRepository(session).listing(
                    principal.id, chain, status, offset, page_size
                )
                items = [subscription_view(s, c) for s, c in rows]
            return page(items, total, page_number, page_size)

    async def set_status(
        self, subscription_id: str, status: str, *, principal: Principal
    ) -> dict[str, Any]:
        """Pause (no scanning, no sending; the cursor waits) or resume (catch up from it)."""
        action = "pause" if status == "paused" else "resume"
        async with self.operation(action), self.ctx.database.session() as session:
            repo = EventsRepository(session)
            row, cursor = await self.owned(repo, subscription_id, principal)
            if row.status != status:
                row.status, row.updated_at = status, self.ctx.clock.now()
            return subscription_view(row, cursor)

    async def delete(self, subscription_id: str, *, principal: Principal) -> None:
        """Remove the subscription with its cursor, deliveries and inbox."""
        async with self.operation("delete"):
            async with self.ctx.database.session() as session:
                repo = EventsRepository(session)
                await self.owned(repo, subscription_id, principal)
                await repo.remove(subscription_id)
            self.forget_secret(subscription_id)
