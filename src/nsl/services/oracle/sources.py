"""Asking a feed's sources: one GET each (concurrently) through ``SafeHttp`` (public targets
only, DNS pinned, redirects checked, body capped, per-source timeout), then the JSONPath
value as a ``Decimal`` — or the reason this source gives no value."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from nsl.adapters.safehttp import OutboundRefused, SafeHttp
from nsl.core.errors import NslError
from nsl.services.oracle import jsonpath
from nsl.services.oracle.aggregate import Answer

log = logging.getLogger(__name__)

SecretLookup = Callable[[str, str | None], Awaitable[str]]
_REASONS = {
    "outbound.timeout": "timeout",
    "outbound.too_large": "too_large",
    "outbound.private_address": "private_address",
    "outbound.unresolvable": "unresolvable",
    "outbound.unreachable": "unreachable",
    "outbound.redirects": "redirects",
    "outbound.scheme": "scheme",
}


class SourceFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def value_of(body: bytes, path: str) -> Decimal:
    """The number at ``path`` in a JSON body (numbers parsed as ``Decimal``, never floats)."""
    try:
        document = json.loads(body, parse_float=Decimal, parse_int=Decimal)
    except (ValueError, UnicodeDecodeError):
        raise SourceFailed("not_json") from None
    try:
        found = jsonpath.extract(document, jsonpath.parse(path))
    except jsonpath.NoMatch:
        raise SourceFailed("no_match") from None
    if isinstance(found, bool) or not isinstance(found, Decimal | str):
        raise SourceFailed("not_number")
    try:
        number = Decimal(found)
    except InvalidOperation:
        raise SourceFailed("not_number") from None
    if not number.is_finite():
        raise SourceFailed("not_number")
    return number


async def fetch(http: SafeHttp, source: dict[str, Any], secret: SecretLookup) -> tuple[bytes, int]:
    headers = {"accept": "application/json"}
    for name, value in source.get("headers", {}).items():
        if isinstance(value, dict):
            try:
                headers[name] = await secret(value["secret"], value.get("key"))
            except NslError as exc:
                log.warning("oracle source %s: secret unavailable (%s)", source["name"], exc.code)
                raise SourceFailed("secret_unavailable") from None
        else:
            headers[name] = value
    try:
        got = await http.request(
            "GET", source["url"], headers=headers, timeout_s=source["timeout_s"]
        )
    except OutboundRefused as exc:
        raise SourceFailed(_REASONS.get(exc.code, "refused")) from None
    return got.body, got.status


async def ask(http: SafeHttp, source: dict[str, Any], secret: SecretLookup) -> Answer:
    weight = Decimal(source.get("weight", "1"))
    try:
        body, status = await fetch(http, source, secret)
        if not 200 <= status < 300:
            raise SourceFailed(f"http_{status}")
        return Answer(source["name"], value_of(body, source["path"]), weight)
    except SourceFailed as exc:
        return Answer(source["name"], None, weight, exc.reason)


async def ask_all(
    http: SafeHttp, sources: list[dict[str, Any]], secret: SecretLookup
) -> list[Answer]:
    return list(await asyncio.gather(*(ask(http, s, secret) for s in sources)))
