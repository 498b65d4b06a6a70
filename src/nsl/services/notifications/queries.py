"""The only module that queries ``notifications_messages``: create, claim due ones with a
lease, lock for recording, list (history, dead letters, inbox), backlog and purge."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.adapters.sqlutil import insert_if_absent
from nsl.services.notifications.models import Notification

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
HISTORY_KEPT = 50


class Queries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    async def add(self, **values: Any) -> bool:
        """Insert unless (owner, idempotency key) exists: whether it was inserted."""
        return await insert_if_absent(self.session, self.dialect, Notification, **values)

    async def by_key(self, owner_id: str, key: str) -> Notification | None:
        query = select(Notification).where(
            Notification.owner_id == owner_id, Notification.idempotency_key == key
        )
        return (await self.session.scalars(query)).one_or_none()

    async def claim_due(self, now: datetime, until: datetime, limit: int) -> list[str]:
        """Take up to ``limit`` due notifications until ``until`` (a crashed sender's claim
        expires then, so nothing is lost); one statement, so two senders never share a row."""
        due = and_(Notification.status == PENDING, Notification.next_attempt_at <= now)
        candidates = (
            select(Notification.id)
            .where(due)
            .order_by(Notification.next_attempt_at)
            .limit(limit)
            .scalar_subquery()
        )
        claimed = await self.session.execute(
            update(Notification)
            .where(Notification.id.in_(candidates), due)
            .values(next_attempt_at=until)
            .returning(Notification.id)
            .execution_options(synchronize_session=False)
        )
        return list(claimed.scalars().all())

    async def rows(self, ids: Sequence[str]) -> Sequence[Notification]:
        query = select(Notification).where(Notification.id.in_(ids)).order_by(Notification.id)
        return (await self.session.scalars(query)).all()

    async def locked(self, ids: Sequence[str]) -> Sequence[Notification]:
        query = (
            select(Notification)
            .where(Notification.id.in_(ids))
            .order_by(Notification.id)
            .with_for_update()
        )
        return (await self.session.scalars(query)).all()

    async def page(
        self,
        owner_id: str | None,
        *,
        statuses: tuple[str, ...] | None,
        channel_types: tuple[str, ...] | None,
        unread: bool,
        offset: int,
        limit: int,
    ) -> tuple[int, Sequence[Notification]]:
        conditions: list[Any] = []
        if owner_id is not None:
            conditions.append(Notification.owner_id == owner_id)
        if statuses is not None:
            conditions.append(Notification.status.in_(statuses))
        if channel_types is not None:
            conditions.append(Notification.channel_type.in_(channel_types))
        if unread:
            conditions.append(Notification.read_at.is_(None))
        total = await self.session.scalar(
            select(func.count()).select_from(Notification).where(*conditions)
        )
        query = (
            select(Notification)
            .where(*conditions)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return int(total or 0), (await self.session.scalars(query)).all()

    async def count_status(self, status: str) -> int:
        query = select(func.count()).select_from(Notification).where(Notification.status == status)
        return int((await self.session.scalar(query)) or 0)

    async def purge(self, before: datetime) -> int:
        """Delete delivered notifications (but unread inbox ones) created before ``before``."""
        result = await self.session.execute(
            delete(Notification).where(
                Notification.status == DELIVERED,
                Notification.created_at < before,
                Notification.read_at.is_not(None) | (Notification.channel_type != "inbox"),
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)


def note_attempt(row: Notification, entry: dict[str, Any], *, counted: bool = True) -> None:
    """Append one attempt (or deferral, not counted) to the history (the newest are kept)."""
    if counted:
        row.attempts += 1
    row.history = [*row.history, entry][-HISTORY_KEPT:]
