"""Notification webhook headers: the platform signature (``nsl.core.webhooks``) plus the stable
``X-NSL-Notification-Id`` (equal on every retry)."""

from __future__ import annotations

from nsl.core.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from nsl.core.webhooks import new_secret as new_secret

ID_HEADER = "X-NSL-Notification-Id"


def headers(secret: str, timestamp: int, body: bytes, notification_id: str) -> dict[str, str]:
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        ID_HEADER: notification_id,
    }
