"""Events' webhook headers: the platform signature (``nsl.core.webhooks``) plus the event's
stable id, the delivery id and the kind (event or retraction)."""

from __future__ import annotations

from nsl.core.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from nsl.core.webhooks import new_secret as new_secret
from nsl.core.webhooks import verify as verify

EVENT_ID_HEADER = "X-NSL-Event-Id"
DELIVERY_ID_HEADER = "X-NSL-Delivery-Id"
KIND_HEADER = "X-NSL-Event-Kind"


def headers(
    secret: str, timestamp: int, body: bytes, event_id: str, delivery_id: str, kind: str
) -> dict[str, str]:
    """Every header a webhook request carries besides the content type."""
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        EVENT_ID_HEADER: event_id,
        DELIVERY_ID_HEADER: delivery_id,
        KIND_HEADER: kind,
    }
