"""Topic subscriptions at work: events other services publish on the bus become
notifications for every matching subscription, exactly once per event and subscription (the
inbox pattern: the handled event is remembered in the same transaction as the rows)."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.adapters.inbox import idempotent_in_session
from nsl.adapters.topics import topic_matches
from nsl.core.errors import NslError
from nsl.core.ports import Event
from nsl.services.notifications import templating
from nsl.services.notifications.base import NotificationsBase
from nsl.services.notifications.models import Channel, Template
from nsl.services.notifications.repository import Repository

log = logging.getLogger(__name__)

CONSUMER = "notifications"


class TopicUseCases(NotificationsBase):
    async def consume_topics(self) -> None:
        handler = idempotent_in_session(
            self.ctx.database, CONSUMER, self.on_event, self.ctx.metrics, self.ctx.clock
        )
        for topic in self.settings.bus_topics:
            await self.ctx.bus.subscribe(CONSUMER, topic, handler)

    async def on_event(self, session: AsyncSession, event: Event) -> None:
        """A notification per subscription whose pattern matches the event's topic."""
        matching = [
            s
            for s in await Repository(session).subscriptions()
            if topic_matches(s.pattern, event.topic)
        ]
        for sub in matching:
            channel = await session.get(Channel, sub.channel_id)
            if channel is None:
                continue
            template = await session.get(Template, sub.template_id) if sub.template_id else None
            subject, body, fmt, failed = self._render(template, event)
            await self.enqueue(
                session,
                channel,
                subject=subject,
                body=body,
                fmt=fmt,
                recipient=sub.recipient,
                topic=event.topic,
                key=f"bus:{event.id}:{sub.id}",
                failed=failed,
            )
        if matching:
            log.info(
                "notifications: event %s on %s matched %d", event.id, event.topic, len(matching)
            )

    def _render(self, template: Template | None, event: Event) -> tuple[str, str, str, str | None]:
        variables: dict[str, Any] = {
            "topic": event.topic,
            "event_id": event.id,
            "occurred_at": event.occurred_at.isoformat(),
            "payload": event.payload,
        }
        if template is None:
            body = orjson.dumps(event.payload, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
            return f"[{event.topic}]", body.decode()[: self.settings.max_body_bytes], "text", None
        s = self.settings
        try:
            subject = templating.render(
                template.subject, "subject", "text", variables, s.max_subject_chars
            )
            body_text = templating.render(
                template.body, "body", template.format, variables, s.max_body_bytes
            )
        except NslError as exc:  # kept as a dead letter that says why, not dropped
            return f"[{event.topic}]", "", template.format, f"template: {exc.detail}"
        return subject, body_text, template.format, None
