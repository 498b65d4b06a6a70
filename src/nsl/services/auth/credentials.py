"""Opaque credentials: API keys (``nsl_<id>_<secret>``) and refresh tokens, kept as SHA-256 only.

Both carry 256 random bits, so a plain SHA-256 (no salt, no HMAC) is a safe lookup hash.
"""

from __future__ import annotations

import hashlib
import secrets

from nsl.core.errors import ValidationFailed

API_KEY_PREFIX = "nsl_"
REFRESH_PREFIX = "nslr_"
MIN_EXPLICIT_KEY_LENGTH = 32
MAX_CREDENTIAL_LENGTH = 512


def digest(raw: str) -> str:
    """The lookup hash of a credential (hex SHA-256)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    """``nsl_`` + 8 hex id chars + ``_`` + 43 url-safe random chars (256 bits)."""
    return f"{API_KEY_PREFIX}{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"


def display_prefix(raw: str) -> str:
    """The non-secret start shown in listings: ``nsl_xxxxxxxx`` for our keys, 4 chars otherwise."""
    if raw.startswith(API_KEY_PREFIX) and raw.count("_") >= 2:
        return raw[: len(API_KEY_PREFIX) + 8]
    return raw[:4]


def check_explicit_key(raw: str, field: str = "bootstrap_admin_key") -> str:
    """An operator-chosen key: long enough to be unguessable, printable, no spaces."""
    if len(raw) < MIN_EXPLICIT_KEY_LENGTH:
        raise ValidationFailed.on(
            field, "min_length", f"must be at least {MIN_EXPLICIT_KEY_LENGTH} characters"
        )
    if len(raw) > MAX_CREDENTIAL_LENGTH or not raw.isprintable() or any(c.isspace() for c in raw):
        raise ValidationFailed.on(
            field,
            "charset",
            f"printable characters without spaces, at most {MAX_CREDENTIAL_LENGTH}",
        )
    return raw


def new_refresh_token() -> str:
    return REFRESH_PREFIX + secrets.token_urlsafe(32)
