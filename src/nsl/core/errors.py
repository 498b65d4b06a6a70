"""Error types every layer raises; only the gateway turns them into HTTP problem+json.

Each error has a stable ``code`` (``<area>.<reason>``), an HTTP ``status`` and a human
``detail``; ``fields`` names the offending input fields and the rule each broke.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldIssue:
    """One invalid input field: where it is (dotted path) and which rule it broke."""

    field: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


class NslError(Exception):
    """Base of every error the platform raises on purpose."""

    status: ClassVar[int] = 500
    code: str = "internal.error"
    title: ClassVar[str] = "Internal error"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        fields: list[FieldIssue] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.fields = fields or []
        self.headers = headers or {}
        self.extra = extra or {}


class ValidationFailed(NslError):
    status = 422
    code = "request.invalid"
    title = "Invalid request"

    @classmethod
    def on(
        cls, field: str, rule: str, message: str, *, code: str | None = None
    ) -> ValidationFailed:
        """An error about a single field."""
        return cls(f"{field}: {message}", code=code, fields=[FieldIssue(field, rule, message)])


class BadRequest(NslError):
    status = 400
    code = "request.malformed"
    title = "Malformed request"


class Unauthenticated(NslError):
    status = 401
    code = "auth.unauthenticated"
    title = "Authentication required"


class Forbidden(NslError):
    status = 403
    code = "auth.forbidden"
    title = "Forbidden"


class NotFound(NslError):
    status = 404
    code = "resource.not_found"
    title = "Not found"


class Conflict(NslError):
    status = 409
    code = "resource.conflict"
    title = "Conflict"


class PayloadTooLarge(NslError):
    status = 413
    code = "request.too_large"
    title = "Payload too large"


class RateLimited(NslError):
    status = 429
    code = "rate_limit.exceeded"
    title = "Too many requests"


class Unavailable(NslError):
    status = 503
    code = "service.unavailable"
    title = "Service unavailable"


class SettingsError(NslError):
    """Settings that must not be used to start (raised before anything serves)."""

    code = "settings.invalid"
    title = "Invalid settings"
