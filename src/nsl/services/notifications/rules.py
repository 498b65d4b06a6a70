"""Input rules: channel targets, addresses, topic patterns, sizes, paging and filters."""

from __future__ import annotations

import re
from typing import Any

from nsl.adapters.safehttp import Policy, check_url
from nsl.core.settings import NotificationsSettings
from nsl.services.notifications.errors import InvalidInput
from nsl.services.notifications.schemas import CreateChannel

URL_TYPES = frozenset({"webhook", "slack", "discord", "telegram"})
STATUSES = frozenset({"pending", "delivered", "dead"})
MAX_PAGE = 500
_EMAIL = re.compile(
    r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$|^[^@\s]+@localhost$"
)
_WORD = re.compile(r"^([A-Za-z0-9_-]+|\*|#)$")
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$|^\[?[0-9a-fA-F:.]+\]?$")


def policy(settings: NotificationsSettings) -> Policy:
    return Policy(allow_loopback=settings.allow_loopback, allow_private=settings.allow_private)


def email(value: str | None, field: str) -> str:
    if value is None or not _EMAIL.match(value):
        raise InvalidInput.on(field, "email", "an e-mail address like name@example.com")
    return value


def channel_target(body: CreateChannel, settings: NotificationsSettings) -> dict[str, Any]:
    """What the channel shows in ``config``; refuses fields that belong to another type."""
    for name in ("url", "chat_id", "smtp"):
        if getattr(body, name) is not None and not _uses(body.type, name):
            raise InvalidInput.on(name, "not_for_type", f"not used by {body.type} channels")
    if body.type in URL_TYPES:
        if body.url is None:
            raise InvalidInput.on("url", "required", f"{body.type} channels need a URL")
        check_url(body.url, "url", policy(settings))
    if body.type == "telegram" and not body.chat_id:
        raise InvalidInput.on("chat_id", "required", "telegram channels need a chat_id")
    if body.type == "webhook":
        return {"url": body.url}
    if body.type in ("slack", "discord", "telegram"):  # the URL carries a token: sealed
        config: dict[str, Any] = {"url_host": (body.url or "").split("/")[2]}
        if body.chat_id:
            config["chat_id"] = body.chat_id
        return config
    if body.type == "email":
        return smtp(body, settings)
    return {}


def smtp(body: CreateChannel, settings: NotificationsSettings) -> dict[str, Any]:
    if body.smtp is None:
        raise InvalidInput.on("smtp", "required", "email channels need SMTP settings")
    s = body.smtp
    if not _HOST.match(s.host):
        raise InvalidInput.on("smtp.host", "hostname", "a host name or address")
    check_url(f"http://{s.host}/", "smtp.host", policy(settings))
    email(s.from_address, "smtp.from_address")
    if s.to is not None:
        email(s.to, "smtp.to")
    if s.password_secret is not None and s.username is None:
        raise InvalidInput.on("smtp.username", "required", "a password needs a user name")
    return s.model_dump()


def _uses(kind: str, field: str) -> bool:
    if field == "url":
        return kind in URL_TYPES
    if field == "chat_id":
        return kind == "telegram"
    return kind == "email"


def batch_window(value: int | None, settings: NotificationsSettings) -> int | None:
    if value is not None and not 1 <= value <= settings.max_batch_window_s:
        raise InvalidInput.on(
            "batch_window_s", "range", f"between 1 and {settings.max_batch_window_s} seconds"
        )
    return value


def pattern(value: str) -> str:
    if not all(_WORD.match(w) for w in value.split(".")):
        raise InvalidInput.on(
            "pattern", "topic_pattern", "words of letters, digits, _ or -, or * and #, with dots"
        )
    return value


def text(value: str, field: str, limit: int) -> str:
    if len(value.encode()) > limit:
        raise InvalidInput.on(field, "max_size", f"at most {limit} bytes")
    return value


def paging(page: int, page_size: int) -> int:
    if page < 1:
        raise InvalidInput.on("page", "min", "pages count from 1")
    if not 1 <= page_size <= MAX_PAGE:
        raise InvalidInput.on("page_size", "range", f"between 1 and {MAX_PAGE}")
    return (page - 1) * page_size


def status(value: str | None) -> str | None:
    if value is not None and value not in STATUSES:
        raise InvalidInput.on("status", "one_of", f"one of {', '.join(sorted(STATUSES))}")
    return value
