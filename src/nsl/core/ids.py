"""Identifiers: sortable random ids for records and opaque random tokens."""

from __future__ import annotations

import os
import secrets
import time


def new_id(prefix: str = "") -> str:
    """A 26-char, time-ordered, random identifier (ULID-like, Crockford base32)."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        value, rest = divmod(value, 32)
        chars.append(alphabet[rest])
    return prefix + "".join(reversed(chars))


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random secret token."""
    return secrets.token_urlsafe(nbytes)
