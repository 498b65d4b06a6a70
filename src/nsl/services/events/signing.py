"""Webhook signatures: HMAC-SHA256 over ``<timestamp>.<body>`` with the subscription's secret.

The receiver recomputes the MAC from the ``X-NSL-Timestamp`` header and the raw body, compares
it in constant time with ``X-NSL-Signature`` (``v1=<hex>``) and refuses stale timestamps.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SCHEME = "v1"
TIMESTAMP_HEADER = "X-NSL-Timestamp"
SIGNATURE_HEADER = "X-NSL-Signature"
EVENT_ID_HEADER = "X-NSL-Event-Id"
DELIVERY_ID_HEADER = "X-NSL-Delivery-Id"
KIND_HEADER = "X-NSL-Event-Kind"


def new_secret() -> str:
    """A fresh webhook secret (256 random bits), shown to its owner once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``."""
    message = str(timestamp).encode() + b"." + body
    mac = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={mac}"


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


def verify(secret: str, timestamp: int, body: bytes, given: str) -> bool:
    """Whether ``given`` is the signature of ``body`` at ``timestamp`` (constant time)."""
    return hmac.compare_digest(signature(secret, timestamp, body), given)
