"""HMAC-SHA256 signatures over ``<timestamp>.<body>`` with a job's secret, the scheme events'
webhooks use (``X-NSL-Timestamp``, ``X-NSL-Signature: v1=<hex>``): signing outgoing webhook
actions and verifying incoming webhook triggers (with a replay window)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
TIMESTAMP_HEADER = "X-NSL-Timestamp"
SIGNATURE_HEADER = "X-NSL-Signature"
IDEMPOTENCY_HEADER = "X-NSL-Idempotency-Key"
REPLAY_WINDOW_S = 300


def new_secret() -> str:
    """A fresh job secret (256 random bits), shown to its owner once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def fresh_and_valid(secret: str, timestamp: str, body: bytes, given: str, now: float) -> bool:
    """Whether ``given`` signs ``body`` at ``timestamp`` and that is within the replay window."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    if abs(now - stamp) > REPLAY_WINDOW_S:
        return False
    return hmac.compare_digest(signature(secret, stamp, body), given)
