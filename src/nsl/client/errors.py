"""Typed exceptions for non-2xx answers: the gateway's problem+json mapped by HTTP status.

``raise_for_problem`` turns any error response (problem+json or not) into one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class FieldError:
    """One invalid input field named by the server: dotted path, broken rule, message."""

    field: str
    rule: str
    message: str


class ApiError(Exception):
    """A non-2xx answer. ``code`` is the server's stable ``<area>.<reason>``."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        request_id: str | None = None,
        fields: list[FieldError] | None = None,
        *,
        title: str = "",
        type: str = "about:blank",
        body: dict[str, Any] | None = None,
        headers: httpx.Headers | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.request_id = request_id
        self.fields = fields or []
        self.title = title
        self.type = type
        self.body = body or {}
        self.headers = headers or httpx.Headers()


class BadRequest(ApiError):
    """400."""


class Unauthorized(ApiError):
    """401: no credentials, or they were refused."""


class Forbidden(ApiError):
    """403: authenticated, but the role does not allow it."""


class NotFound(ApiError):
    """404."""


class Conflict(ApiError):
    """409."""


class PayloadTooLarge(ApiError):
    """413."""


class ValidationError(ApiError):
    """422: ``fields`` says which inputs broke which rule."""


class RateLimited(ApiError):
    """429: ``retry_after`` is the number of seconds the server asked to wait, when given."""

    @property
    def retry_after(self) -> float | None:
        raw = self.headers.get("retry-after", self.body.get("retry_after"))
        try:
            return float(raw) if raw is not None else None
        except (TypeError, ValueError):
            return None


class ServerError(ApiError):
    """5xx."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: ValidationError,
    429: RateLimited,
}


def error_class(status: int) -> type[ApiError]:
    """The exception class for an HTTP status (``ApiError`` itself for unlisted 4xx)."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)


def raise_for_problem(response: httpx.Response) -> None:
    """Raise the typed error for a non-2xx response; do nothing for 2xx."""
    if response.is_success:
        return
    body = _problem_body(response)
    status = response.status_code
    raise error_class(status)(
        status,
        str(body.get("code") or f"http.{status}"),
        str(body.get("detail") or body.get("title") or response.reason_phrase),
        request_id=body.get("request_id") or response.headers.get("x-request-id"),
        fields=[_field(item) for item in body.get("errors") or [] if isinstance(item, dict)],
        title=str(body.get("title") or response.reason_phrase),
        type=str(body.get("type") or "about:blank"),
        body=body,
        headers=response.headers,
    )


def _problem_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"detail": response.text[:500]} if response.text else {}
    return body if isinstance(body, dict) else {}


def _field(item: dict[str, Any]) -> FieldError:
    return FieldError(
        field=str(item.get("field", "")),
        rule=str(item.get("rule", "")),
        message=str(item.get("message", "")),
    )
