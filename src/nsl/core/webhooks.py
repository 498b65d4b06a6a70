"""The platform's webhook signature: HMAC-SHA256 over ``<timestamp>.<body>`` with the owner's
secret, sent as ``X-NSL-Signature: v1=<hex>`` beside ``X-NSL-Timestamp``. Events, notifications
and automation sign with it; automation also checks incoming hooks with it."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SCHEME = "v1"
TIMESTAMP_HEADER = "X-NSL-Timestamp"
SIGNATURE_HEADER = "X-NSL-Signature"
REPLAY_WINDOW_S = 300


def new_secret() -> str:
    """A fresh webhook secret (256 random bits), shown to its owner once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``."""
    message = str(timestamp).encode() + b"." + body
    return f"{SCHEME}={hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()}"


def verify(secret: str, timestamp: int, body: bytes, given: str) -> bool:
    """Whether ``given`` is the signature of ``body`` at ``timestamp`` (constant time)."""
    return hmac.compare_digest(signature(secret, timestamp, body), given)


def fresh_and_valid(secret: str, timestamp: str, body: bytes, given: str, now: float) -> bool:
    """Whether ``given`` signs ``body`` at ``timestamp``, within the replay window of ``now``."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    return abs(now - stamp) <= REPLAY_WINDOW_S and verify(secret, stamp, body, given)
