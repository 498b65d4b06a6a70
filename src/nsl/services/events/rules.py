"""Input rules for subscriptions, each failure naming its field and rule."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

import orjson

from nsl.core.chain import NEO_N3, NEO_X
from nsl.services.events.errors import InvalidInput

__all__ = ["InvalidInput"]

DELIVERY_TYPES = ("webhook", "bus", "inbox")
STATUSES = ("active", "paused")
DELIVERY_STATUSES = ("pending", "delivered", "dead", "cancelled")
PAGE_SIZE_MAX = 500
INBOX_LIMIT_MAX = 500
URL_MAX = 2048
NAME_MAX = 200
FILTERS_MAX = 16
FILTER_KEY_MAX = 100
FILTER_TEXT_MAX = 500
ABI_MAX_BYTES = 256 * 1024
_CONTRACT = re.compile(r"0x[0-9a-fA-F]{40}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")
_TOPIC = re.compile(r"0x[0-9a-fA-F]{64}")


def contract(value: str) -> str:
    """A contract script hash (Neo N3, big-endian as shown by explorers) or address (Neo X):
    ``0x`` and 40 hex digits, returned lower-case."""
    if not _CONTRACT.fullmatch(value):
        raise InvalidInput.on("contract", "format", "0x followed by 40 hex digits")
    return value.lower()


def event_name(value: str | None) -> str | None:
    """An event name, or (Neo X without an ABI) the event's topic hash ``0x`` + 64 hex."""
    if value is None:
        return None
    if _TOPIC.fullmatch(value):
        return value.lower()
    if not 1 <= len(value) <= NAME_MAX or not _NAME.fullmatch(value):
        raise InvalidInput.on(
            "event_name",
            "format",
            f"1-{NAME_MAX} characters of [A-Za-z0-9_.:-] not starting with a digit, "
            "or a topic hash (0x + 64 hex digits)",
        )
    return value


def filters(value: dict[str, Any] | None) -> dict[str, Any]:
    """Equality filters: up to 16 named arguments, each a string, integer or boolean."""
    given = value or {}
    if len(given) > FILTERS_MAX:
        raise InvalidInput.on("filters", "max_items", f"at most {FILTERS_MAX} arguments")
    for key, wanted in given.items():
        where = f"filters.{key}"
        if not 1 <= len(key) <= FILTER_KEY_MAX:
            raise InvalidInput.on(where, "key_length", f"names are 1-{FILTER_KEY_MAX} characters")
        if isinstance(wanted, str) and len(wanted) > FILTER_TEXT_MAX:
            raise InvalidInput.on(where, "length", f"at most {FILTER_TEXT_MAX} characters")
        if not isinstance(wanted, str | int | bool):
            raise InvalidInput.on(where, "scalar", "a string, integer or boolean")
    return dict(given)


def confirmations(value: int | None, default: int, maximum: int) -> int:
    if value is None:
        return default
    if not 0 <= value <= maximum:
        raise InvalidInput.on("confirmations", "range", f"between 0 and {maximum}")
    return value


def start_block(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise InvalidInput.on("start_block", "range", "a block number, 0 or more")
    return value


def abi(
    value: list[dict[str, Any]] | None, chain: str, name: str | None, filters: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """Event shapes: an EVM ABI (Neo X) or manifest-style events (Neo N3, which otherwise
    reads them from the deployed contract). Neo X needs one to find events by name or to
    filter on arguments, unless the name is given as the event's topic hash."""
    if value is None:
        if chain == NEO_X and (filters or (name is not None and not _TOPIC.fullmatch(name))):
            raise InvalidInput.on(
                "abi", "required", "neo-x events are named and decoded by the contract's ABI"
            )
        return None
    if len(orjson.dumps(value)) > ABI_MAX_BYTES:
        raise InvalidInput.on("abi", "size", f"at most {ABI_MAX_BYTES} bytes of JSON")
    events = [e for e in value if chain == NEO_N3 or e.get("type") == "event"]
    if not events:
        raise InvalidInput.on("abi", "declares_events", "declares no event")
    named = name is not None and not _TOPIC.fullmatch(name)
    if named and not any(e.get("name") == name for e in events):
        raise InvalidInput.on("abi", "declares_event", f"declares no event named {name!r}")
    return value


def webhook_url(value: str | None, allow_private: bool) -> str:
    """An absolute http(s) URL; loopback, private and link-local addresses only if allowed."""
    field = "delivery.url"
    if not value:
        raise InvalidInput.on(field, "required", "a webhook needs a url")
    if len(value) > URL_MAX:
        raise InvalidInput.on(field, "length", f"at most {URL_MAX} characters")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput.on(field, "http_url", "an absolute http:// or https:// URL")
    if parts.username or parts.password:
        raise InvalidInput.on(field, "no_credentials", "no user or password in the URL")
    if not allow_private and _private(parts.hostname):
        raise InvalidInput.on(
            field, "public_address", "loopback, private and link-local targets are not allowed"
        )
    return value


def _private(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def paging(number: int, size: int) -> int:
    """The offset of page ``number`` of ``size`` items."""
    if number < 1:
        raise InvalidInput.on("page", "range", "1 or more")
    if not 1 <= size <= PAGE_SIZE_MAX:
        raise InvalidInput.on("page_size", "range", f"between 1 and {PAGE_SIZE_MAX}")
    return (number - 1) * size


def one_of(value: str | None, allowed: tuple[str, ...], field: str) -> str | None:
    if value is not None and value not in allowed:
        raise InvalidInput.on(field, "allowed_values", "one of " + ", ".join(allowed))
    return value
