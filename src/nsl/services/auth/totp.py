"""TOTP (RFC 6238, via pyotp): secrets, provisioning URIs, and matching a code to its time step.

A code is accepted one step either side of now; the matched step is returned so the caller
can refuse any step not newer than the last one used (no replay).
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

ISSUER = "Neo Service Layer"
WINDOW = 1
DIGITS = 6


def new_secret() -> str:
    """A 160-bit base32 secret."""
    return str(pyotp.random_base32(32))


def provisioning_uri(secret: str, account: str) -> str:
    return str(pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER))


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (``now`` ± ``WINDOW``) whose code equals ``code``, else None."""
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(totp.timecode(now))
    found: int | None = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        expected = str(totp.generate_otp(step))
        if hmac.compare_digest(expected, code) and found is None:
            found = step
    return found


def step_is_fresh(step: int, last_used: int | None) -> bool:
    """True when ``step`` is newer than the last accepted one."""
    return last_used is None or step > last_used
