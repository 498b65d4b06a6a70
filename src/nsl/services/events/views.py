"""Read views: what the API returns for subscriptions, deliveries and inbox entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nsl.services.events.models import Cursor, Delivery, InboxEntry, Subscription


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def subscription_view(row: Subscription, cursor: Cursor | None) -> dict[str, Any]:
    delivery: dict[str, Any] = {"type": row.delivery}
    if row.delivery == "webhook":
        delivery["url"] = row.webhook_url
    elif row.delivery == "bus":
        delivery["topic"] = bus_topic(row.id)
    return {
        "id": row.id,
        "chain": row.chain,
        "contract": row.contract,
        "event_name": row.event_name,
        "filters": row.filters,
        "confirmations": row.confirmations,
        "start_block": row.start_block,
        "abi": row.abi,
        "delivery": delivery,
        "status": row.status,
        "description": row.description,
        "cursor": None
        if cursor is None
        else {"block_number": cursor.block_number, "block_hash": cursor.block_hash},
        "created_at": _time(row.created_at),
        "updated_at": _time(row.updated_at),
    }


def delivery_view(row: Delivery) -> dict[str, Any]:
    return {
        "id": row.id,
        "event_id": row.event_id,
        "kind": row.kind,
        "mode": row.mode,
        "status": row.status,
        "retracted": row.retracted,
        "block_number": row.block_number,
        "block_time": _time(row.block_time),
        "event": row.event,
        "attempts": row.attempts,
        "history": row.history,
        "next_attempt_at": _time(row.next_attempt_at) if row.status == "pending" else None,
        "last_error": row.last_error,
        "created_at": _time(row.created_at),
        "delivered_at": _time(row.delivered_at),
        "dead_at": _time(row.dead_at),
    }


def inbox_view(row: InboxEntry) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "kind": row.kind,
        "event_id": row.event_id,
        "retracted": row.retracted,
        "event": row.event,
        "created_at": _time(row.created_at),
    }


def message(
    subscription_id: str, delivery_id: str, kind: str, event: dict[str, Any]
) -> dict[str, Any]:
    """What a subscriber receives (webhook body, bus payload): the event or its retraction."""
    return {
        "type": kind,
        "subscription_id": subscription_id,
        "delivery_id": delivery_id,
        "event_id": event["event_id"],
        "event": event,
    }


def bus_topic(subscription_id: str) -> str:
    return f"events.{subscription_id}"


def page(items: list[dict[str, Any]], total: int, number: int, size: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": number, "page_size": size}
