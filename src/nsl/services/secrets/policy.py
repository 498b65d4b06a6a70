"""Path policies: who may do what where. Owners hold every capability; others only what an
allow policy grants; a matching deny policy removes a capability from anyone (deny wins).

Patterns are globs over paths: ``*`` matches within one segment, ``**`` across segments.
Subjects are ``principal:<id>`` or ``role:<role>``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from nsl.core.errors import ValidationFailed
from nsl.core.security import Principal, Role


class Capability(StrEnum):
    READ = "read"
    WRITE = "write"
    DELETE = "delete"
    UNDELETE = "undelete"
    DESTROY = "destroy"
    LIST = "list"
    METADATA = "metadata"


class Effect(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


ALL_CAPABILITIES = frozenset(Capability)
PATTERN_MAX = 500
SUBJECT_ID_MAX = 128
_PATTERN_CHARS = re.compile(r"[a-zA-Z0-9\-_./*]+")


@dataclass(frozen=True)
class Rule:
    """One policy as evaluated: a compiled pattern, a subject, capabilities and an effect."""

    pattern: str
    subject: str
    capabilities: frozenset[Capability]
    effect: Effect

    def matches(self, path: str) -> bool:
        return compile_pattern(self.pattern).fullmatch(path) is not None


def subjects_of(principal: Principal) -> list[str]:
    """The policy subjects a caller answers to."""
    return [f"principal:{principal.id}", *(f"role:{r.value}" for r in sorted(principal.roles))]


def capabilities(path: str, *, owner: bool, rules: Iterable[Rule]) -> frozenset[Capability]:
    """What the caller may do on ``path`` (``rules``: the policies naming the caller)."""
    allowed = set(ALL_CAPABILITIES) if owner else set()
    denied: set[Capability] = set()
    for rule in rules:
        if rule.matches(path):
            (allowed if rule.effect is Effect.ALLOW else denied).update(rule.capabilities)
    return frozenset(allowed - denied)


@functools.lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    parts = []
    for chunk in re.split(r"(\*\*|\*)", pattern):
        if chunk == "**":
            parts.append(".*")
        elif chunk == "*":
            parts.append("[^/]*")
        else:
            parts.append(re.escape(chunk))
    return re.compile("".join(parts))


def check_pattern(pattern: str) -> str:
    field = "pattern"
    if not 1 <= len(pattern) <= PATTERN_MAX:
        raise ValidationFailed.on(field, "length", f"must be 1 to {PATTERN_MAX} characters")
    if not _PATTERN_CHARS.fullmatch(pattern):
        raise ValidationFailed.on(
            field, "charset", "path characters (letters, digits, - _ . /) and * only"
        )
    if pattern.startswith("/") or pattern.endswith("/") or "//" in pattern:
        raise ValidationFailed.on(field, "slashes", "no leading, trailing or doubled '/'")
    if "***" in pattern:
        raise ValidationFailed.on(field, "glob", "use * (one segment) or ** (any segments)")
    return pattern


def check_subject(subject: str) -> str:
    kind, _, value = subject.partition(":")
    if kind == "principal" and 1 <= len(value) <= SUBJECT_ID_MAX:
        return subject
    if kind == "role" and value in {r.value for r in Role}:
        return subject
    roles = ", ".join(r.value for r in Role)
    raise ValidationFailed.on(
        "subject",
        "subject_form",
        f"must be 'principal:<id>' (id up to {SUBJECT_ID_MAX} characters) or 'role:<role>' "
        f"with a role among {roles}",
    )


def check_capabilities(values: list[str]) -> frozenset[Capability]:
    allowed = ", ".join(c.value for c in Capability)
    if not values:
        raise ValidationFailed.on("capabilities", "min_items", f"name at least one of {allowed}")
    result = set()
    for i, value in enumerate(values):
        if value not in ALL_CAPABILITIES:
            raise ValidationFailed.on(
                f"capabilities[{i}]", "allowed_values", f"must be one of {allowed}"
            )
        result.add(Capability(value))
    return frozenset(result)
