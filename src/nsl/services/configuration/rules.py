"""Input rules: keys, prefixes, environments, scopes, descriptions, paging, and sensitive key names.

Keys are 1-255 characters of ``[A-Za-z0-9._/-]`` with no leading, trailing or doubled ``/``,
no ``..`` and no ``/history`` suffix (that path is the history route).
"""

from __future__ import annotations

import itertools
import re

from nsl.core.errors import ValidationFailed

ENVIRONMENTS = ("development", "test", "staging", "production")
KEY_MAX = 255
DESCRIPTION_MAX = 1000
PAGE_SIZE_MAX = 500
HISTORY_LIMIT_MAX = 1000
RESERVED_KEYS = frozenset({"export", "import", "schemas"})

_KEY_CHARS = re.compile(r"[A-Za-z0-9._/-]+")
_SCOPE = re.compile(r"[a-z0-9._-]{1,64}")
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_SPLIT = re.compile(r"[._/-]+")

# Any word containing one of these makes a key sensitive.
SENSITIVE_WORDS = ("password", "passwd", "secret", "token", "credential", "dsn")
# These pairs, as two consecutive words or run together in one word, make a key sensitive.
SENSITIVE_PAIRS = (("private", "key"), ("connection", "string"), ("api", "key"))


def check_key(key: str, field: str = "key") -> str:
    """Return ``key`` when it follows every key rule, else raise naming the broken rule."""
    if not 1 <= len(key) <= KEY_MAX:
        raise ValidationFailed.on(field, "length", f"must be 1 to {KEY_MAX} characters")
    _check_path(key, field)
    if key.endswith("/history"):
        raise ValidationFailed.on(field, "reserved_suffix", "must not end in '/history'")
    if key in RESERVED_KEYS:
        raise ValidationFailed.on(field, "reserved", f"{key!r} is a route name, not a key")
    return key


def check_prefix(prefix: str, field: str = "prefix") -> str:
    """A key prefix: key characters, 1-255 long, may end in ``/`` or ``.``."""
    if not 1 <= len(prefix) <= KEY_MAX:
        raise ValidationFailed.on(field, "length", f"must be 1 to {KEY_MAX} characters")
    _check_path(prefix.removesuffix("/"), field)
    return prefix


def _check_path(text: str, field: str) -> None:
    if not _KEY_CHARS.fullmatch(text):
        raise ValidationFailed.on(field, "charset", "only letters, digits and . _ / - are allowed")
    if text.startswith("/") or text.endswith("/") or "//" in text:
        raise ValidationFailed.on(field, "slashes", "no leading, trailing or doubled '/'")
    if ".." in text or "." in text.split("/"):
        raise ValidationFailed.on(field, "dot_segments", "must not contain '..' or '.' segments")


def check_environment(value: str | None, default: str) -> str:
    environment = value if value is not None else default
    if environment not in ENVIRONMENTS:
        allowed = ", ".join(ENVIRONMENTS)
        raise ValidationFailed.on("environment", "allowed_values", f"must be one of {allowed}")
    return environment


def check_scope(scope: str, field: str = "scope") -> str:
    if not _SCOPE.fullmatch(scope):
        raise ValidationFailed.on(field, "pattern", "must be 1 to 64 characters of [a-z0-9._-]")
    return scope


def check_description(description: str, field: str = "description") -> str:
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed.on(
            field, "max_length", f"must be at most {DESCRIPTION_MAX} characters"
        )
    return description


def check_page(page: int, page_size: int) -> None:
    if page < 1:
        raise ValidationFailed.on("page", "minimum", "must be 1 or more")
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        raise ValidationFailed.on("page_size", "range", f"must be 1 to {PAGE_SIZE_MAX}")


def check_limit(limit: int) -> None:
    if not 1 <= limit <= HISTORY_LIMIT_MAX:
        raise ValidationFailed.on("limit", "range", f"must be 1 to {HISTORY_LIMIT_MAX}")


def key_words(key: str) -> list[str]:
    """The key's words, lower-cased: split at ``. _ / -`` and at camelCase boundaries."""
    return [w.lower() for part in _SPLIT.split(key) for w in _WORD.findall(part)]


def sensitive_name(key: str) -> bool:
    """Whether the key names something secret (its value is then always sealed).

    Matching is on words, not substrings of the whole key: ``tls.key`` or ``cache.keys``
    are not sensitive, ``db.password``, ``stripeApiKey`` and ``signing/private_key`` are.
    """
    words = key_words(key)
    if any(term in word for word in words for term in SENSITIVE_WORDS):
        return True
    for first, second in SENSITIVE_PAIRS:
        joined = first + second
        if any(joined in word for word in words):
            return True
        if any(a == first and b == second for a, b in itertools.pairwise(words)):
            return True
    return False
