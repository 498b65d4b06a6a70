"""Shapes of the JSON the API returns (``TypedDict``s: plain dicts at run time) and parsers."""

from __future__ import annotations

from typing import Any, TypedDict

import httpx

JsonObject = dict[str, Any]


class TokenPair(TypedDict):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str


class TotpEnrollment(TypedDict):
    secret: str
    otpauth_uri: str


class CreatedKey(TypedDict):
    """A new API key: ``key`` is shown this once and never again."""

    id: str
    key: str
    prefix: str
    principal_id: str
    roles: list[str] | None
    expires_at: str | None


class Page(TypedDict):
    items: list[JsonObject]
    total: int
    page: int
    page_size: int


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON body."""
    return response.json()


def json_object(response: httpx.Response) -> JsonObject:
    """The decoded JSON body, which must be an object."""
    body = response.json()
    if not isinstance(body, dict):
        raise ValueError(f"expected a JSON object from {response.request.url.path}")
    return body


def no_content(response: httpx.Response) -> None:
    """For 204 answers: nothing to read."""


def text(response: httpx.Response) -> str:
    return response.text


def is_ok(response: httpx.Response) -> bool:
    """True for 200, False for 503 (the only other status the caller lets through)."""
    return response.status_code == 200


def health_report(response: httpx.Response) -> JsonObject:
    """The health body with the HTTP status added as ``http_status`` (200 or 503)."""
    return {**json_object(response), "http_status": response.status_code}
