"""Use cases on notifications: send (202, delivered by ``delivery``), status, history,
dead letters and their retry, and the in-app inbox (read, mark read)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from nsl.core.security import Principal
from nsl.services.notifications import rules, templating
from nsl.services.notifications.base import NotificationsBase, scope
from nsl.services.notifications.errors import (
    ChannelNotFound,
    InvalidInput,
    NotificationNotFound,
    NotRetryable,
    TemplateNotFound,
)
from nsl.services.notifications.models import Channel, Notification
from nsl.services.notifications.queries import DEAD, PENDING, Queries
from nsl.services.notifications.repository import Repository
from nsl.services.notifications.schemas import SendNotification
from nsl.services.notifications.views import notification_view, page


class SendingUseCases(NotificationsBase):
    async def send(self, body: SendNotification, *, principal: Principal) -> dict[str, Any]:
        """Queue a notification; ``{id, status, created}`` (an idempotency key seen before
        returns the first one's id)."""
        async with self.operation("send"):
            if (body.channel_id is None) == (body.channel is None):
                raise InvalidInput.on("channel_id", "one_of", "give channel_id or channel")
            if (body.body is None) == (body.template is None):
                raise InvalidInput.on("body", "one_of", "give body or template (with variables)")
            due = body.scheduled_at
            if due is not None and due.tzinfo is None:
                raise InvalidInput.on("scheduled_at", "timezone", "a time with its UTC offset")
            async with self.ctx.database.session() as session:
                repo = Repository(session)
                channel = await self._resolve(repo, body, principal)
                subject, text, fmt = await self._content(repo, channel, body)
                if channel.type == "email" and body.recipient is not None:
                    rules.email(body.recipient, "recipient")
                if (
                    channel.type == "email"
                    and body.recipient is None
                    and not channel.config.get("to")
                ):
                    raise InvalidInput.on(
                        "recipient", "required", "this email channel has no default"
                    )
                row_id, created = await self.enqueue(
                    session,
                    channel,
                    subject=subject,
                    body=text,
                    fmt=fmt,
                    recipient=body.recipient,
                    key=body.idempotency_key,
                    due=due.astimezone(UTC) if due is not None else None,
                )
            return {"id": row_id, "status": PENDING, "created": created}

    async def _resolve(
        self, repo: Repository, body: SendNotification, principal: Principal
    ) -> Channel:
        if body.channel_id is not None:
            return await self.channel_of(repo, body.channel_id, principal)
        found = await repo.channel_named(principal.id, body.channel or "")
        if found is None:
            raise ChannelNotFound(f"no notification channel named {body.channel!r} of yours")
        return found

    async def _content(
        self, repo: Repository, channel: Channel, body: SendNotification
    ) -> tuple[str, str, str]:
        s = self.settings
        if body.template is None:
            subject = rules.text(body.subject or "", "subject", s.max_subject_chars)
            return subject, rules.text(body.body or "", "body", s.max_body_bytes), "text"
        template = await repo.template_ref(channel.owner_id, body.template)
        if template is None:
            raise TemplateNotFound(f"no template {body.template!r} of yours")
        if body.subject is not None:
            raise InvalidInput.on("subject", "template_given", "the template gives the subject")
        fmt, variables = template.format, body.variables
        subject = templating.render(
            template.subject, "subject", "text", variables, s.max_subject_chars
        )
        text = templating.render(template.body, "body", fmt, variables, s.max_body_bytes)
        return subject, text, fmt

    async def _owned(
        self, queries: Queries, notification_id: str, principal: Principal
    ) -> Notification:
        rows = await queries.rows([notification_id])
        owner = scope(principal)
        if not rows or (owner is not None and rows[0].owner_id != owner):
            raise NotificationNotFound(f"no notification {notification_id!r} of yours")
        return rows[0]

    async def status(self, notification_id: str, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("status"), self.ctx.database.session() as session:
            return notification_view(
                await self._owned(Queries(session), notification_id, principal)
            )

    async def history(
        self,
        *,
        principal: Principal,
        status: str | None,
        page_number: int,
        page_size: int,
        inbox: bool = False,
        unread: bool = False,
    ) -> dict[str, Any]:
        async with self.operation("inbox" if inbox else "history"):
            offset = rules.paging(page_number, page_size)
            wanted = rules.status(status)
            async with self.ctx.database.session() as session:
                total, rows = await Queries(session).page(
                    principal.id if inbox else scope(principal),
                    statuses=("delivered",) if inbox else (None if wanted is None else (wanted,)),
                    channel_types=("inbox",) if inbox else None,
                    unread=unread,
                    offset=offset,
                    limit=page_size,
                )
                items = [notification_view(r) for r in rows]
            return page(items, total, page_number, page_size)

    async def retry(self, notification_id: str, *, principal: Principal) -> dict[str, Any]:
        """Send a dead letter again: a fresh retry window starts now."""
        async with self.operation("retry"), self.ctx.database.session() as session:
            queries = Queries(session)
            row = await self._owned(queries, notification_id, principal)
            if row.status != DEAD:
                raise NotRetryable(f"notification {notification_id} is {row.status}, not dead")
            if await session.get(Channel, row.channel_id) is None:
                raise NotRetryable("its channel was deleted")
            now = self.ctx.clock.now()
            row.status, row.dead_at, row.due_at, row.next_attempt_at = PENDING, None, now, now
            return notification_view(row)

    async def mark_read(self, notification_id: str, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("mark_read"), self.ctx.database.session() as session:
            row = await self._owned(Queries(session), notification_id, principal)
            if row.channel_type != "inbox" or row.owner_id != principal.id:
                raise NotificationNotFound(f"no inbox notification {notification_id!r} of yours")
            if row.read_at is None:
                row.read_at = self.ctx.clock.now()
            return notification_view(row)

    async def send_as(
        self,
        owner: Principal,
        channel_id: str,
        subject: str,
        body: str,
        *,
        topic: str | None,
        idempotency_key: str | None,
    ) -> str:
        """For other services (``client``): queue ``subject``/``body`` on ``owner``'s channel."""
        async with self.operation("send_internal"):
            rules.text(subject, "subject", self.settings.max_subject_chars)
            rules.text(body, "body", self.settings.max_body_bytes)
            async with self.ctx.database.session() as session:
                channel = await self.channel_of(Repository(session), channel_id, owner)
                if channel.type == "email" and not channel.config.get("to"):
                    raise InvalidInput.on(
                        "recipient", "required", "this email channel has no default"
                    )
                row_id, _ = await self.enqueue(
                    session, channel, subject=subject, body=body, topic=topic, key=idempotency_key
                )
            return row_id
