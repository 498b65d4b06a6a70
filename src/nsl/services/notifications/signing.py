"""Webhook signatures, the same scheme as the events service's webhooks: HMAC-SHA256 over
``<timestamp>.<body>`` with the channel's secret, sent as ``X-NSL-Signature: v1=<hex>`` next to
``X-NSL-Timestamp`` and the stable ``X-NSL-Notification-Id`` (equal on every retry)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SCHEME = "v1"
TIMESTAMP_HEADER = "X-NSL-Timestamp"
SIGNATURE_HEADER = "X-NSL-Signature"
ID_HEADER = "X-NSL-Notification-Id"


def new_secret() -> str:
    """A fresh webhook secret (256 random bits), shown to its owner once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return f"{SCHEME}={hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()}"


def headers(secret: str, timestamp: int, body: bytes, notification_id: str) -> dict[str, str]:
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        ID_HEADER: notification_id,
    }
