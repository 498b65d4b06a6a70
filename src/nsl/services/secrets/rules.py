"""Input rules: secret paths, listing prefixes, version numbers, paging and custom metadata.

A path is 1-500 characters of ``[a-zA-Z0-9-_./]`` with no leading, trailing or doubled ``/``,
no ``.``/``..`` segment, no segment starting with ``_`` (reserved: ``_policies``) and no final
segment named ``metadata``, ``undelete`` or ``destroy`` (those are routes under a path).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from nsl.core.errors import BadRequest, FieldIssue, ValidationFailed

PATH_MAX = 500
PAGE_SIZE_MAX = 500
VERSIONS_MAX = 100
METADATA_PAIRS_MAX = 64
METADATA_KEY_MAX = 128
METADATA_VALUE_MAX = 512
ROUTE_SUFFIXES = frozenset({"metadata", "undelete", "destroy"})

_CHARS = re.compile(r"[a-zA-Z0-9\-_./]+")
_METADATA_KEY = re.compile(r"[A-Za-z0-9_.\-]+")


def bad(field: str, rule: str, message: str, code: str) -> BadRequest:
    """A 400 naming the field and the rule it broke."""
    return BadRequest(f"{field}: {message}", code=code, fields=[FieldIssue(field, rule, message)])


def check_path(path: str, field: str = "path") -> str:
    """Return ``path`` when it follows every path rule, else raise a 400 naming the rule."""
    code = "secrets.invalid_path"
    if not 1 <= len(path) <= PATH_MAX:
        raise bad(field, "length", f"must be 1 to {PATH_MAX} characters", code)
    _check_text(path, field, code)
    segments = path.split("/")
    if any(s.startswith("_") for s in segments):
        raise bad(field, "reserved_segment", "no segment may start with '_' (API routes)", code)
    if segments[-1] in ROUTE_SUFFIXES:
        raise bad(
            field,
            "reserved_suffix",
            "the last segment must not be 'metadata', 'undelete' or 'destroy' (API routes)",
            code,
        )
    return path


def check_prefix(prefix: str | None) -> str:
    """A listing prefix: empty, or path characters that may end in ``/`` or mid-segment."""
    if not prefix:
        return ""
    code = "secrets.invalid_prefix"
    if len(prefix) > PATH_MAX:
        raise bad("prefix", "length", f"must be at most {PATH_MAX} characters", code)
    _check_text(prefix.removesuffix("/"), "prefix", code)
    return prefix


def _check_text(text: str, field: str, code: str) -> None:
    if not _CHARS.fullmatch(text):
        raise bad(field, "charset", "only letters, digits and - _ . / are allowed", code)
    if text.startswith("/") or text.endswith("/") or "//" in text:
        raise bad(field, "slashes", "no leading, trailing or doubled '/'", code)
    if any(s in {".", ".."} for s in text.split("/")):
        raise bad(field, "dot_segments", "no '.' or '..' segment", code)


def check_version(value: Any, field: str = "version") -> int:
    """A version number: an integer >= 1 (query strings are parsed), else a 400."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    if number is None or number < 1 or number > 2**31 - 1:
        raise bad(field, "integer_min_1", "must be an integer of 1 or more", "secrets.bad_version")
    return number


def check_versions(items: Any, field: str = "versions") -> list[int]:
    """A list of 1-100 version numbers, deduplicated and sorted."""
    if not isinstance(items, list) or not 1 <= len(items) <= VERSIONS_MAX:
        raise bad(
            field,
            "list_length",
            f"must list 1 to {VERSIONS_MAX} version numbers",
            "secrets.bad_version",
        )
    numbers = [check_version(v, f"{field}[{i}]") for i, v in enumerate(items)]
    return sorted(set(numbers))


def check_page(page: int, page_size: int) -> None:
    if page < 1:
        raise ValidationFailed.on("page", "minimum", "must be 1 or more")
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        raise ValidationFailed.on("page_size", "range", f"must be 1 to {PAGE_SIZE_MAX}")


def check_custom_metadata(pairs: dict[str, str]) -> dict[str, str]:
    """At most 64 pairs; keys 1-128 of ``[A-Za-z0-9_.-]``, values up to 512 characters."""
    field = "custom_metadata"
    if len(pairs) > METADATA_PAIRS_MAX:
        raise ValidationFailed.on(field, "max_pairs", f"at most {METADATA_PAIRS_MAX} pairs")
    for key, value in pairs.items():
        if not (len(key) <= METADATA_KEY_MAX and _METADATA_KEY.fullmatch(key)):
            raise ValidationFailed.on(
                f"{field}.{key[:METADATA_KEY_MAX]}",
                "key_pattern",
                f"keys are 1 to {METADATA_KEY_MAX} characters of [A-Za-z0-9_.-]",
            )
        if len(value) > METADATA_VALUE_MAX:
            raise ValidationFailed.on(
                f"{field}.{key}",
                "max_length",
                f"values are at most {METADATA_VALUE_MAX} characters",
            )
    return pairs


def encode_data(data: Any, max_bytes: int) -> bytes:
    """The secret's ``data`` (a JSON object) as the bytes that get encrypted."""
    if not isinstance(data, dict):
        raise ValidationFailed.on("data", "type", "must be a JSON object")
    try:
        raw = orjson.dumps(data)
    except orjson.JSONEncodeError as exc:
        raise ValidationFailed.on(
            "data", "json", "integers must fit in 64 bits and nesting be at most 255 deep"
        ) from exc
    if len(raw) > max_bytes:
        raise ValidationFailed.on(
            "data", "max_bytes", f"must be at most {max_bytes} bytes as compact JSON"
        )
    return raw
