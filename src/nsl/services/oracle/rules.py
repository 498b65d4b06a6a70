"""Input rules for feeds, sources and paging; every failure names its field and rule."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from nsl.adapters.safehttp import Policy, check_url
from nsl.chains.reports import MAX_FEED_BYTES
from nsl.core.settings import OracleSettings
from nsl.services.oracle import jsonpath
from nsl.services.oracle.errors import InvalidInput
from nsl.services.oracle.schemas import FeedBody, SourceBody

AGGREGATIONS = ("median", "trimmed_mean", "weighted_median")
MIN_FEED_SOURCES = 3
MAX_SOURCES = 31
MAX_DECIMALS = 30
PAGE_SIZE_MAX = 500
MAX_HEADERS = 16


def policy(settings: OracleSettings) -> Policy:
    return Policy(allow_loopback=settings.allow_loopback_sources)


def decimal(value: object, field: str, *, positive: bool = True) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput.on(field, "decimal", "must be a decimal number") from None
    if not number.is_finite() or (positive and number <= 0):
        raise InvalidInput.on(field, "positive", "must be a finite decimal above 0")
    return number


def feed_name(name: str, field: str = "name") -> str:
    raw = name.encode("utf-8", "surrogatepass")
    if not 0 < len(raw) <= MAX_FEED_BYTES or not name.isprintable() or name != name.strip():
        raise InvalidInput.on(field, "length", "1-60 bytes of printable text, no outer spaces")
    return name


def url(value: str, field: str, settings: OracleSettings) -> str:
    check_url(value, field, policy(settings))
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" and not settings.allow_loopback_sources:
        raise InvalidInput.on(field, "https", "sources must be https:// endpoints")
    allowed = [h.lower() for h in settings.allowed_hosts]
    if allowed and not any(host == h or host.endswith("." + h) for h in allowed):
        raise InvalidInput.on(field, "allowed_host", "host is not in the oracle's allow-list")
    return value


def source(index: int, body: SourceBody, settings: OracleSettings) -> dict[str, Any]:
    where = f"sources[{index}]"
    if not 1 <= len(body.name) <= 60:
        raise InvalidInput.on(f"{where}.name", "length", "1-60 characters")
    try:
        jsonpath.parse(body.path)
    except jsonpath.PathError as exc:
        raise InvalidInput.on(f"{where}.path", "jsonpath", str(exc)) from None
    if len(body.headers) > MAX_HEADERS:
        raise InvalidInput.on(f"{where}.headers", "count", f"at most {MAX_HEADERS} headers")
    for name, value in body.headers.items():
        if isinstance(value, dict) and (set(value) - {"secret", "key"} or "secret" not in value):
            raise InvalidInput.on(
                f"{where}.headers.{name}", "secret_ref", 'a string or {"secret": path, "key"?}'
            )
    timeout = body.timeout_s if body.timeout_s is not None else settings.source_timeout_s
    if not 0 < timeout <= 60:
        raise InvalidInput.on(f"{where}.timeout_s", "range", "above 0 and at most 60 seconds")
    return {
        "name": body.name,
        "url": url(body.url, f"{where}.url", settings),
        "path": body.path,
        "weight": str(decimal(body.weight, f"{where}.weight")),
        "headers": dict(body.headers),
        "timeout_s": timeout,
    }


def feed(body: FeedBody, settings: OracleSettings) -> dict[str, Any]:
    """The stored form of a feed definition (validated)."""
    if not MIN_FEED_SOURCES <= len(body.sources) <= MAX_SOURCES:
        raise InvalidInput.on(
            "sources", "count", f"a feed needs {MIN_FEED_SOURCES}-{MAX_SOURCES} sources"
        )
    sources = [source(i, s, settings) for i, s in enumerate(body.sources)]
    if len({s["name"] for s in sources}) != len(sources):
        raise InvalidInput.on("sources", "distinct", "source names must be distinct")
    if body.aggregation not in AGGREGATIONS:
        raise InvalidInput.on("aggregation", "allowed_values", f"one of {', '.join(AGGREGATIONS)}")
    if not 1 <= body.min_sources <= len(sources):
        raise InvalidInput.on("min_sources", "range", "between 1 and the number of sources")
    if not 0 <= body.decimals <= MAX_DECIMALS:
        raise InvalidInput.on("decimals", "range", f"between 0 and {MAX_DECIMALS}")
    deviation = decimal(body.deviation, "deviation")
    if deviation >= 1:
        raise InvalidInput.on("deviation", "range", "a fraction below 1, e.g. 0.005 for 0.5 %")
    if not 1 <= body.heartbeat_s <= 30 * 86400:
        raise InvalidInput.on("heartbeat_s", "range", "between 1 second and 30 days")
    if len(body.description) > 500:
        raise InvalidInput.on("description", "length", "at most 500 characters")
    return {
        "name": feed_name(body.name),
        "description": body.description,
        "decimals": body.decimals,
        "sources": sources,
        "aggregation": body.aggregation,
        "min_sources": body.min_sources,
        "deviation": str(deviation),
        "heartbeat_s": body.heartbeat_s,
    }


def paging(page: int, page_size: int) -> None:
    if page < 1:
        raise InvalidInput.on("page", "range", "pages start at 1")
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        raise InvalidInput.on("page_size", "range", f"between 1 and {PAGE_SIZE_MAX}")
