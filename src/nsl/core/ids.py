"""Identifiers: sortable random ids for records."""

from __future__ import annotations

import os
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
