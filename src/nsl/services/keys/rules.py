"""Input rules: key types, usages, names, hex and base64 fields, paging and policy values.

Every failure is a 400 naming the field and the rule (``keys.invalid_input``), including bad
hex and an unknown key type (with the allowed values).
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from nsl.core.enclave import KeyType
from nsl.core.names import name_problem
from nsl.services.keys.errors import InvalidInput

KEY_TYPES = tuple(t.value for t in KeyType)
USAGES = ("sign", "verify", "encrypt", "decrypt")
STATUSES = ("active", "revoked", "expired", "deleted", "destroyed")
USAGES_BY_TYPE = {
    KeyType.SECP256R1: USAGES,
    KeyType.SECP256K1: USAGES,
    KeyType.ED25519: ("sign", "verify"),
}
DEFAULT_USAGES = ("sign", "verify")
NAME_MAX = 128
REASON_MAX = 500
PAGE_SIZE_MAX = 500
MAX_DATA_BYTES = 1024 * 1024
MAX_PLAINTEXT_BYTES = 64 * 1024
MAX_ROTATION_DAYS = 36500


def key_type(value: str, field: str = "key_type") -> KeyType:
    try:
        return KeyType(value)
    except ValueError:
        raise InvalidInput.on(
            field, "allowed_values", f"must be one of {', '.join(KEY_TYPES)}"
        ) from None


def status(value: str, field: str = "status") -> str:
    if value not in STATUSES:
        raise InvalidInput.on(field, "allowed_values", f"must be one of {', '.join(STATUSES)}")
    return value


def usages(values: list[str] | None, kind: KeyType) -> list[str]:
    """Distinct usages in canonical order; each must be one the key type supports."""
    if values is None:
        return list(DEFAULT_USAGES)
    if not values:
        raise InvalidInput.on("usages", "not_empty", "give at least one usage")
    allowed = USAGES_BY_TYPE[kind]
    for value in values:
        if value not in USAGES:
            raise InvalidInput.on("usages", "allowed_values", f"must be among {', '.join(USAGES)}")
        if value not in allowed:
            raise InvalidInput.on(
                "usages",
                "usage_for_key_type",
                f"{kind.value} keys allow only {', '.join(allowed)}",
            )
    return [u for u in USAGES if u in values]


def name(value: str | None) -> str | None:
    if value is None:
        return None
    problem = name_problem(value, NAME_MAX)
    if problem is not None:
        raise InvalidInput.on("name", "format", problem)
    return value


def reason(value: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput.on("reason", "required", "say why the key is revoked")
    if len(text) > REASON_MAX:
        raise InvalidInput.on("reason", "length", f"at most {REASON_MAX} characters")
    return text


def hex_bytes(value: str, field: str, *, max_bytes: int = MAX_DATA_BYTES) -> bytes:
    """Bytes from hex (an optional ``0x`` prefix is allowed)."""
    text = value[2:] if value[:2] in ("0x", "0X") else value
    if len(text) > 2 * max_bytes:
        raise InvalidInput.on(field, "length", f"at most {max_bytes} bytes")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise InvalidInput.on(field, "hex", "must be an even number of hex digits") from None


def base64_bytes(value: str, field: str, *, max_bytes: int = MAX_PLAINTEXT_BYTES) -> bytes:
    """Bytes from standard or URL-safe base64 (padding optional)."""
    if len(value) > (max_bytes * 4) // 3 + 4:
        raise InvalidInput.on(field, "length", f"at most {max_bytes} bytes")
    text = value.replace("-", "+").replace("_", "/")
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput.on(field, "base64", "must be base64") from None
    if len(data) > max_bytes:
        raise InvalidInput.on(field, "length", f"at most {max_bytes} bytes")
    return data


def rotation_days(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= MAX_ROTATION_DAYS:
        raise InvalidInput.on(
            "rotation_period_days", "range", f"1 to {MAX_ROTATION_DAYS}, or null for never"
        )
    return value


def rate_limit(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 100_000_000:
        raise InvalidInput.on(
            "rate_limit_per_minute", "range", "1 to 100000000, or null for the default"
        )
    return value


def expires_at(value: datetime | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise InvalidInput.on("expires_at", "timezone", "give a UTC offset, e.g. ...Z")
    if value <= now:
        raise InvalidInput.on("expires_at", "future", "must be in the future")
    return value


def page(number: int, size: int) -> None:
    if number < 1:
        raise InvalidInput.on("page", "minimum", "pages start at 1")
    if not 1 <= size <= PAGE_SIZE_MAX:
        raise InvalidInput.on("page_size", "range", f"1 to {PAGE_SIZE_MAX}")
