"""Queries on channels, templates and topic subscriptions (one session, one transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.services.notifications.models import Channel, Notification, Template, TopicSubscription

Row = TypeVar("Row", Channel, Template, TopicSubscription)


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: Any) -> None:
        self.session.add(row)

    async def owned(self, model: type[Row], row_id: str, owner_id: str | None) -> Row | None:
        """The row if ``owner_id`` owns it (``None``: an admin, any owner)."""
        row = await self.session.get(model, row_id)
        if row is None or (owner_id is not None and row.owner_id != owner_id):
            return None
        return row

    async def channel_named(self, owner_id: str, name: str) -> Channel | None:
        query = select(Channel).where(Channel.owner_id == owner_id, Channel.name == name)
        return (await self.session.scalars(query.limit(1))).first()

    async def template_ref(self, owner_id: str, ref: str) -> Template | None:
        """A template by id or by name, of this owner."""
        query = select(Template).where(
            Template.owner_id == owner_id, or_(Template.id == ref, Template.name == ref)
        )
        return (await self.session.scalars(query.limit(1))).first()

    async def count(self, model: type[Row], owner_id: str) -> int:
        query = select(func.count()).select_from(model).where(model.owner_id == owner_id)
        return int(await self.session.scalar(query) or 0)

    async def page(
        self, model: type[Row], owner_id: str | None, offset: int, limit: int
    ) -> tuple[int, Sequence[Row]]:
        conditions = [] if owner_id is None else [model.owner_id == owner_id]
        total = await self.session.scalar(
            select(func.count()).select_from(model).where(*conditions)
        )
        query = (
            select(model)
            .where(*conditions)
            .order_by(model.created_at.desc(), model.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return int(total or 0), (await self.session.scalars(query)).all()

    async def subscriptions(self) -> Sequence[TopicSubscription]:
        return (await self.session.scalars(select(TopicSubscription))).all()

    async def remove_channel(self, channel_id: str) -> None:
        """The channel with its subscriptions and its undelivered notifications."""
        for statement in (
            delete(TopicSubscription).where(TopicSubscription.channel_id == channel_id),
            delete(Notification).where(
                Notification.channel_id == channel_id, Notification.status != "delivered"
            ),
            delete(Channel).where(Channel.id == channel_id),
        ):
            await self.session.execute(statement)
