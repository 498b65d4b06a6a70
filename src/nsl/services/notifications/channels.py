"""Use cases on channels (create: a webhook's secret is shown this once), templates and
topic subscriptions: create, read, list, update, delete; each owned by its creator."""

from __future__ import annotations

from typing import Any

from nsl.core.ids import new_id
from nsl.core.security import Principal
from nsl.services.notifications import rules, signing, templating
from nsl.services.notifications.base import NotificationsBase, scope
from nsl.services.notifications.errors import (
    NameTaken,
    QuotaExceeded,
    SubscriptionNotFound,
    TemplateNotFound,
)
from nsl.services.notifications.models import Channel, Template, TopicSubscription
from nsl.services.notifications.repository import Repository
from nsl.services.notifications.schemas import CreateChannel, CreateSubscription, TemplateBody
from nsl.services.notifications.views import (
    channel_view,
    page,
    subscription_view,
    template_view,
)


class ChannelUseCases(NotificationsBase):
    async def create_channel(self, body: CreateChannel, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("create_channel"):
            config = rules.channel_target(body, self.settings)
            window = rules.batch_window(body.batch_window_s, self.settings)
            now, row_id = self.ctx.clock.now(), new_id()
            secret = signing.new_secret() if body.type == "webhook" else None
            sealed = None
            if secret is not None:
                sealed = await self.seal(row_id, {"secret": secret})
            elif body.type in ("slack", "discord", "telegram"):
                sealed = await self.seal(row_id, {"url": body.url})
            row = Channel(
                id=row_id,
                owner_id=principal.id,
                name=body.name,
                type=body.type,
                config=config,
                sealed=sealed,
                batch_window_s=window,
                created_at=now,
                updated_at=now,
            )
            async with self.ctx.database.session() as session:
                repo = Repository(session)
                if await repo.count(Channel, principal.id) >= self.settings.max_channels:
                    raise QuotaExceeded(f"you already hold {self.settings.max_channels} channels")
                if await repo.channel_named(principal.id, body.name) is not None:
                    raise NameTaken(f"you already have a channel named {body.name!r}")
                repo.add(row)
            view = channel_view(row)
            if secret is not None:
                view["secret"] = secret
            return view

    async def get_channel(self, channel_id: str, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("get_channel"), self.ctx.database.session() as session:
            return channel_view(await self.channel_of(Repository(session), channel_id, principal))

    async def list_channels(
        self, *, principal: Principal, page_number: int, page_size: int
    ) -> dict[str, Any]:
        async with self.operation("list_channels"), self.ctx.database.session() as session:
            offset = rules.paging(page_number, page_size)
            total, rows = await Repository(session).page(
                Channel, scope(principal), offset, page_size
            )
            return page([channel_view(r) for r in rows], total, page_number, page_size)

    async def delete_channel(self, channel_id: str, *, principal: Principal) -> None:
        """The channel, its subscriptions and its undelivered notifications."""
        async with self.operation("delete_channel"), self.ctx.database.session() as session:
            repo = Repository(session)
            await self.channel_of(repo, channel_id, principal)
            await repo.remove_channel(channel_id)
        self.forget(channel_id)

    # templates ------------------------------------------------------------------------
    def _checked_template(self, body: TemplateBody) -> None:
        limit = self.settings.max_template_bytes
        rules.text(body.subject, "subject", limit)
        rules.text(body.body, "body", limit)
        templating.check(body.subject, "subject", body.format)
        templating.check(body.body, "body", body.format)

    async def create_template(self, body: TemplateBody, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("create_template"):
            self._checked_template(body)
            now = self.ctx.clock.now()
            row = Template(
                id=new_id(),
                owner_id=principal.id,
                name=body.name,
                format=body.format,
                subject=body.subject,
                body=body.body,
                created_at=now,
                updated_at=now,
            )
            async with self.ctx.database.session() as session:
                repo = Repository(session)
                if await repo.template_ref(principal.id, body.name) is not None:
                    raise NameTaken(f"you already have a template named {body.name!r}")
                repo.add(row)
            return template_view(row)

    async def _template(self, repo: Repository, template_id: str, principal: Principal) -> Template:
        row = await repo.owned(Template, template_id, scope(principal))
        if row is None:
            raise TemplateNotFound(f"no template {template_id!r} of yours")
        return row

    async def get_template(self, template_id: str, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("get_template"), self.ctx.database.session() as session:
            return template_view(await self._template(Repository(session), template_id, principal))

    async def update_template(
        self, template_id: str, body: TemplateBody, *, principal: Principal
    ) -> dict[str, Any]:
        async with self.operation("update_template"):
            self._checked_template(body)
            async with self.ctx.database.session() as session:
                repo = Repository(session)
                row = await self._template(repo, template_id, principal)
                other = await repo.template_ref(row.owner_id, body.name)
                if other is not None and other.id != row.id:
                    raise NameTaken(f"you already have a template named {body.name!r}")
                row.name, row.format, row.subject, row.body = (
                    body.name,
                    body.format,
                    body.subject,
                    body.body,
                )
                row.updated_at = self.ctx.clock.now()
                return template_view(row)

    async def delete_template(self, template_id: str, *, principal: Principal) -> None:
        async with self.operation("delete_template"), self.ctx.database.session() as session:
            row = await self._template(Repository(session), template_id, principal)
            await session.delete(row)

    async def list_templates(
        self, *, principal: Principal, page_number: int, page_size: int
    ) -> dict[str, Any]:
        async with self.operation("list_templates"), self.ctx.database.session() as session:
            offset = rules.paging(page_number, page_size)
            total, rows = await Repository(session).page(
                Template, scope(principal), offset, page_size
            )
            return page([template_view(r) for r in rows], total, page_number, page_size)

    # topic subscriptions ---------------------------------------------------------------
    async def subscribe(self, body: CreateSubscription, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("subscribe"):
            pattern = rules.pattern(body.pattern)
            async with self.ctx.database.session() as session:
                repo = Repository(session)
                channel = await self.channel_of(repo, body.channel_id, principal)
                template_id = None
                if body.template is not None:
                    found = await repo.template_ref(channel.owner_id, body.template)
                    if found is None:
                        raise TemplateNotFound(f"no template {body.template!r} of yours")
                    template_id = found.id
                row = TopicSubscription(
                    id=new_id(),
                    owner_id=channel.owner_id,
                    channel_id=channel.id,
                    pattern=pattern,
                    template_id=template_id,
                    recipient=body.recipient,
                    created_at=self.ctx.clock.now(),
                )
                repo.add(row)
            return subscription_view(row)

    async def _subscription(
        self, repo: Repository, subscription_id: str, principal: Principal
    ) -> TopicSubscription:
        row = await repo.owned(TopicSubscription, subscription_id, scope(principal))
        if row is None:
            raise SubscriptionNotFound(f"no topic subscription {subscription_id!r} of yours")
        return row

    async def get_subscription(
        self, subscription_id: str, *, principal: Principal
    ) -> dict[str, Any]:
        async with self.operation("get_subscription"), self.ctx.database.session() as session:
            row = await self._subscription(Repository(session), subscription_id, principal)
            return subscription_view(row)

    async def unsubscribe(self, subscription_id: str, *, principal: Principal) -> None:
        async with self.operation("unsubscribe"), self.ctx.database.session() as session:
            row = await self._subscription(Repository(session), subscription_id, principal)
            await session.delete(row)

    async def list_subscriptions(
        self, *, principal: Principal, page_number: int, page_size: int
    ) -> dict[str, Any]:
        async with self.operation("list_subscriptions"), self.ctx.database.session() as session:
            offset = rules.paging(page_number, page_size)
            repo = Repository(session)
            total, rows = await repo.page(TopicSubscription, scope(principal), offset, page_size)
            return page([subscription_view(r) for r in rows], total, page_number, page_size)
