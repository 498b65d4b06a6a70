"""Input rules for auth: principal names, kinds, roles, password strength and page bounds."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from nsl.core.errors import ValidationFailed
from nsl.core.security import Role
from nsl.services.auth.passwords import MAX_PASSWORD_CHARS

NAME_RE = re.compile(r"[a-z0-9._-]{3,64}")
KINDS = ("user", "service")
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50


def check_name(name: str, field: str = "name") -> str:
    if not NAME_RE.fullmatch(name):
        raise ValidationFailed.on(
            field, "pattern", "3 to 64 characters from a-z, 0-9, '.', '_' and '-'"
        )
    return name


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationFailed.on("kind", "one_of", "must be one of: " + ", ".join(KINDS))
    return kind


def check_roles(
    roles: Iterable[str], field: str = "roles", *, allow_empty: bool = False
) -> list[str]:
    """Role names as a sorted list of known roles."""
    known = {r.value for r in Role}
    values = sorted({str(r) for r in roles})
    unknown = [r for r in values if r not in known]
    if unknown:
        allowed = ", ".join(sorted(known))
        raise ValidationFailed.on(field, "one_of", f"unknown role(s) {unknown}; allowed: {allowed}")
    if not values and not allow_empty:
        raise ValidationFailed.on(field, "min_items", "give at least one role")
    return values


def check_password(password: str, min_length: int) -> str:
    """At least ``min_length`` characters with upper, lower, digit and another character."""
    problems = []
    if len(password) < min_length:
        problems.append(f"at least {min_length} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        problems.append(f"at most {MAX_PASSWORD_CHARS} characters")
    if not any(c.isupper() for c in password):
        problems.append("an upper-case letter")
    if not any(c.islower() for c in password):
        problems.append("a lower-case letter")
    if not any(c.isdigit() for c in password):
        problems.append("a digit")
    if all(c.isalnum() for c in password):
        problems.append("a character that is not a letter or digit")
    if problems:
        raise ValidationFailed.on("password", "strength", "needs " + ", ".join(problems))
    return password


@dataclass(frozen=True)
class PageRequest:
    """A validated ``?page=&page_size=`` pair."""

    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        if self.page < 1:
            raise ValidationFailed.on("page", "min", "must be 1 or more")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValidationFailed.on(
                "page_size", "range", f"must be between 1 and {MAX_PAGE_SIZE}"
            )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size
