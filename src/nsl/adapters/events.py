"""Wire format of events on a bus: one JSON object per event (orjson)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from nsl.core.ports import Event


def encode_event(event: Event) -> bytes:
    """The JSON body carrying ``event``; raises ``TypeError`` for a payload JSON cannot hold."""
    return orjson.dumps(
        {
            "id": event.id,
            "topic": event.topic,
            "payload": event.payload,
            "occurred_at": event.occurred_at.isoformat(),
            "headers": event.headers,
        }
    )


def decode_event(body: bytes) -> Event:
    """The event in a body written by :func:`encode_event`; ``ValueError`` when malformed."""
    try:
        data: dict[str, Any] = orjson.loads(body)
        return Event(
            id=str(data["id"]),
            topic=str(data["topic"]),
            payload=dict(data["payload"]),
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
            headers={str(k): str(v) for k, v in data.get("headers", {}).items()},
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed event body: {type(exc).__name__}") from exc
