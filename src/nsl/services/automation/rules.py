"""Validation of what callers send: triggers, actions, limits, paging. Each refusal names the
field (``trigger.cron``, ``action.url``...) and the rule it broke."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nsl.adapters.safehttp import Policy, check_url
from nsl.core.chain import chain_name
from nsl.services.automation.errors import InvalidInput
from nsl.services.automation.eventtrigger import event_trigger
from nsl.services.automation.prices import price_trigger
from nsl.services.automation.schedule import check_cron

TRIGGERS = ("cron", "interval", "once", "block", "webhook", "price", "event")
ACTIONS = ("contract", "webhook", "notification")
SERVED_BY = {"contract": "contracts", "notification": "notifications"}
STATUSES = ("active", "paused", "cancelled", "completed", "expired")
EXECUTION_STATUSES = ("pending", "running", "retrying", "succeeded", "failed", "cancelled")
MAX_PAGE = 500


def _only(data: dict[str, Any], prefix: str, allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise InvalidInput.on(f"{prefix}.{key}", "unknown_field", "not a field of this type")


def _int(data: dict[str, Any], field: str, prefix: str, minimum: int) -> int:
    value = data.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InvalidInput.on(f"{prefix}.{field}", "min", f"an integer >= {minimum}")
    return value


def _when(value: object, field: str, now: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput.on(field, "iso8601", "an ISO 8601 time with a UTC offset") from exc
    if moment.tzinfo is None:
        raise InvalidInput.on(field, "timezone", "give the offset (e.g. Z or +00:00)")
    moment = moment.astimezone(UTC)
    if moment <= now:
        raise InvalidInput.on(field, "future", "must be in the future")
    return moment


def trigger(data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The normalized trigger, or a refusal naming ``trigger.<field>``."""
    kind = data.get("type")
    if kind not in TRIGGERS:
        raise InvalidInput.on("trigger.type", "one_of", f"one of {', '.join(TRIGGERS)}")
    if kind == "cron":
        _only(data, "trigger", {"type", "cron"})
        return {"type": "cron", "cron": check_cron(data.get("cron"))}
    if kind == "interval":
        _only(data, "trigger", {"type", "seconds"})
        return {"type": "interval", "seconds": _int(data, "seconds", "trigger", 1)}
    if kind == "once":
        _only(data, "trigger", {"type", "at"})
        return {"type": "once", "at": _when(data.get("at"), "trigger.at", now).isoformat()}
    if kind == "block":
        _only(data, "trigger", {"type", "chain", "height"})
        chain = chain_name(str(data.get("chain")), "trigger.chain")
        return {"type": "block", "chain": chain, "height": _int(data, "height", "trigger", 0)}
    if kind == "price":
        return price_trigger(data)
    if kind == "event":
        return event_trigger(data)
    _only(data, "trigger", {"type"})
    return {"type": "webhook"}


def _text(data: dict[str, Any], field: str, maximum: int) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value or len(value) > maximum:
        raise InvalidInput.on(f"action.{field}", "text", f"a string of 1 to {maximum} chars")
    return value


def action(data: dict[str, Any], private_allowed: bool, running: set[str]) -> dict[str, Any]:
    """The normalized action, or a refusal naming ``action.<field>``; ``running``: the services
    of this process (contract and notification actions call theirs in-process)."""
    kind = data.get("type")
    if kind not in ACTIONS:
        raise InvalidInput.on("action.type", "one_of", f"one of {', '.join(ACTIONS)}")
    needed = SERVED_BY.get(str(kind))
    if needed is not None and needed not in running:
        raise InvalidInput.on("action.type", "available", f"{needed} not available here")
    if kind == "notification":
        _only(data, "action", {"type", "channel_id", "subject", "body"})
        return {
            "type": "notification",
            "channel_id": _text(data, "channel_id", 64),
            "subject": _text(data, "subject", 200),
            "body": _text(data, "body", 10_000),
        }
    if kind == "webhook":
        _only(data, "action", {"type", "url", "payload"})
        policy = Policy(allow_loopback=private_allowed, allow_private=private_allowed)
        url = data.get("url")
        if not isinstance(url, str) or len(url) > 2048:
            raise InvalidInput.on("action.url", "http_url", "an http(s) URL (at most 2048 chars)")
        check_url(url, "action.url", policy)
        return {"type": "webhook", "url": url, "payload": data.get("payload")}
    _only(data, "action", {"type", "chain", "contract", "method", "args", "key_id", "abi"})
    chain = chain_name(str(data.get("chain")), "action.chain")
    for field in ("contract", "method", "key_id"):
        if not isinstance(data.get(field), str) or not data[field]:
            raise InvalidInput.on(f"action.{field}", "required", "a non-empty string")
    args = data.get("args", [])
    if not isinstance(args, list):
        raise InvalidInput.on("action.args", "list", "a list of arguments")
    abi = data.get("abi")
    if abi is not None and not isinstance(abi, list):
        raise InvalidInput.on("action.abi", "list", "a JSON ABI (list)")
    return {
        "type": "contract",
        "chain": chain,
        "contract": data["contract"],
        "method": data["method"],
        "args": args,
        "key_id": data["key_id"],
        "abi": abi,
    }


def expiry(value: datetime | None, now: datetime) -> datetime | None:
    return None if value is None else _when(value.isoformat(), "expires_at", now)


def limit(value: int | None, field: str, minimum: int, maximum: int) -> int | None:
    if value is not None and not minimum <= value <= maximum:
        raise InvalidInput.on(field, "range", f"between {minimum} and {maximum}")
    return value


def paging(page: int, page_size: int) -> int:
    if page < 1:
        raise InvalidInput.on("page", "min", "pages count from 1")
    if not 1 <= page_size <= MAX_PAGE:
        raise InvalidInput.on("page_size", "range", f"between 1 and {MAX_PAGE}")
    return (page - 1) * page_size


def one_of(value: str | None, allowed: tuple[str, ...], field: str) -> str | None:
    if value is not None and value not in allowed:
        raise InvalidInput.on(field, "one_of", f"one of {', '.join(allowed)}")
    return value
