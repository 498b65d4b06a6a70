"""Read views (what the API returns) and the messages each channel type sends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from nsl.services.notifications.models import Channel, Notification, Template, TopicSubscription


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def channel_view(row: Channel) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "type": row.type,
        "config": row.config,
        "batch_window_s": row.batch_window_s,
        "created_at": _time(row.created_at),
        "updated_at": _time(row.updated_at),
    }


def template_view(row: Template) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "format": row.format,
        "subject": row.subject,
        "body": row.body,
        "created_at": _time(row.created_at),
        "updated_at": _time(row.updated_at),
    }


def subscription_view(row: TopicSubscription) -> dict[str, Any]:
    return {
        "id": row.id,
        "channel_id": row.channel_id,
        "pattern": row.pattern,
        "template_id": row.template_id,
        "recipient": row.recipient,
        "created_at": _time(row.created_at),
    }


def notification_view(row: Notification) -> dict[str, Any]:
    return {
        "id": row.id,
        "channel_id": row.channel_id,
        "channel_type": row.channel_type,
        "recipient": row.recipient,
        "subject": row.subject,
        "body": row.body,
        "format": row.format,
        "topic": row.topic,
        "idempotency_key": row.idempotency_key,
        "status": row.status,
        "due_at": _time(row.due_at),
        "next_attempt_at": _time(row.next_attempt_at) if row.status == "pending" else None,
        "attempts": row.attempts,
        "history": row.history,
        "last_error": row.last_error,
        "digest_id": row.digest_id,
        "read": row.read_at is not None,
        "read_at": _time(row.read_at),
        "created_at": _time(row.created_at),
        "delivered_at": _time(row.delivered_at),
        "dead_at": _time(row.dead_at),
    }


def page(items: list[dict[str, Any]], total: int, number: int, size: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": number, "page_size": size}


def webhook_payload(channel_id: str, rows: Sequence[Notification], key: str) -> dict[str, Any]:
    """A single notification, or a digest of several (``key`` is the stable id sent)."""
    items = [_item(r) for r in rows]
    if len(items) == 1:
        return {"type": "notification", "channel_id": channel_id, **items[0]}
    return {"type": "digest", "id": key, "channel_id": channel_id, "items": items}


def _item(row: Notification) -> dict[str, Any]:
    return {
        "id": row.id,
        "subject": row.subject,
        "body": row.body,
        "format": row.format,
        "topic": row.topic,
        "recipient": row.recipient,
        "created_at": _time(row.created_at),
    }


def text_of(rows: Sequence[Notification]) -> tuple[str, str]:
    """Subject and plain body for chat and e-mail channels (a digest lists every item)."""
    if len(rows) == 1:
        return rows[0].subject, rows[0].body
    parts = [f"{r.subject}\n{r.body}" if r.subject else r.body for r in rows]
    return f"{len(rows)} notifications", "\n\n".join(parts)
