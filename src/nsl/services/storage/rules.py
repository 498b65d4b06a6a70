"""Input rules: object keys, owners, content types, user metadata and expiry. Each failure
is a 422 naming the field and the rule."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from nsl.core.errors import ValidationFailed
from nsl.core.settings_storage import StorageSettings

META_PREFIX = "x-nsl-meta-"
_META_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_CONTENT_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+(\s*;\s*[\w.+-]+=(\"[^\"]*\"|[\w.+-]+))*$")
_OWNER = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DEFAULT_CONTENT_TYPE = "application/octet-stream"


def key(value: str, settings: StorageSettings) -> str:
    encoded = value.encode("utf-8", "surrogatepass")
    if not value:
        raise ValidationFailed.on("key", "required", "an object key is required")
    if len(encoded) > settings.max_key_length:
        raise ValidationFailed.on(
            "key", "max_length", f"at most {settings.max_key_length} bytes (UTF-8)"
        )
    if _CONTROL.search(value) or "\\" in value:
        raise ValidationFailed.on("key", "characters", "no control characters or backslashes")
    if value.startswith("/") or "//" in value:
        raise ValidationFailed.on("key", "segments", "no leading '/' and no empty segments")
    if any(part in (".", "..") for part in value.split("/")):
        raise ValidationFailed.on("key", "segments", "no '.' or '..' segments")
    return value


def prefix(value: str | None, settings: StorageSettings) -> str:
    if not value:
        return ""
    if len(value.encode()) > settings.max_key_length or _CONTROL.search(value):
        raise ValidationFailed.on("prefix", "key_prefix", "not a possible key prefix")
    return value


def owner(value: str | None) -> str | None:
    if value is None:
        return None
    if not _OWNER.match(value):
        raise ValidationFailed.on("owner", "principal_id", "1-128 of [A-Za-z0-9._:@-]")
    return value


def content_type(value: str | None) -> str:
    if not value:
        return DEFAULT_CONTENT_TYPE
    if len(value) > 255 or not _CONTENT_TYPE.match(value):
        raise ValidationFailed.on("content-type", "media_type", "a media type like text/plain")
    return value


def metadata(headers: Iterable[tuple[str, str]], settings: StorageSettings) -> dict[str, str]:
    """User metadata from ``X-NSL-Meta-<name>`` headers, within the entry and size limits."""
    found: dict[str, str] = {}
    for name, value in headers:
        lowered = name.lower()
        if not lowered.startswith(META_PREFIX):
            continue
        short = lowered[len(META_PREFIX) :]
        field = f"{META_PREFIX}{short}"
        if not _META_NAME.match(short):
            raise ValidationFailed.on(field, "name", "names are 1-64 of [a-z0-9-]")
        if _CONTROL.search(value) or not value.isascii():
            raise ValidationFailed.on(field, "characters", "printable ASCII only")
        found[short] = value
    if len(found) > settings.max_metadata_entries:
        raise ValidationFailed.on(
            "metadata", "max_entries", f"at most {settings.max_metadata_entries} entries"
        )
    if sum(len(k) + len(v) for k, v in found.items()) > settings.max_metadata_bytes:
        raise ValidationFailed.on(
            "metadata", "max_bytes", f"at most {settings.max_metadata_bytes} bytes in all"
        )
    return found


def expires_at(value: str | None, now: datetime) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationFailed.on("expires_at", "datetime", "an ISO 8601 time") from exc
    if moment.tzinfo is None:
        raise ValidationFailed.on("expires_at", "timezone", "give a UTC offset, e.g. Z")
    if moment <= now:
        raise ValidationFailed.on("expires_at", "future", "must be in the future")
    return moment


def version(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) < 2**31:
        raise ValidationFailed.on("version", "positive_integer", "a version number (1, 2, ...)")
    return int(value)


def page(number: int, size: int) -> tuple[int, int]:
    if number < 1:
        raise ValidationFailed.on("page", "minimum", "pages start at 1")
    if not 1 <= size <= 500:
        raise ValidationFailed.on("page_size", "range", "between 1 and 500")
    return number, size


def content_length(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise ValidationFailed.on("content-length", "integer", "a whole number of bytes")
    return int(value)
