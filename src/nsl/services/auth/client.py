"""What other services use from auth: the ``require_totp`` route guard and its verifier protocol."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Protocol, runtime_checkable

from fastapi import Header
from starlette.requests import Request

from nsl.core.context import ServiceContext
from nsl.core.errors import Forbidden, Unauthenticated, Unavailable
from nsl.core.security import Principal, Role, require_roles

TOTP_HEADER = "X-TOTP-Code"


@runtime_checkable
class TotpVerifier(Protocol):
    async def verify_totp(self, principal_id: str, code: str) -> None: ...


def require_totp(
    source: ServiceContext | TotpVerifier, *roles: Role
) -> Callable[..., Awaitable[Principal]]:
    """A FastAPI dependency: an authenticated caller (with one of ``roles``, if given) who also
    sends a fresh TOTP code in ``X-TOTP-Code`` (a missing or wrong code is a 403). ``source``
    is the service context (the auth service is looked up at request time) or a verifier."""
    guard = require_roles(*roles)

    async def dependency(
        request: Request,
        x_totp_code: Annotated[str | None, Header(alias=TOTP_HEADER)] = None,
    ) -> Principal:
        principal = guard(request)
        if not x_totp_code:
            raise Forbidden(
                f"this operation needs a TOTP code in the {TOTP_HEADER} header",
                code="auth.totp_required",
            )
        verifier = source.services.get("auth") if isinstance(source, ServiceContext) else source
        if not isinstance(verifier, TotpVerifier):
            raise Unavailable(
                "the auth service does not run in this process", code="auth.unavailable"
            )
        try:
            await verifier.verify_totp(principal.id, x_totp_code)
        except Unauthenticated as exc:  # the caller is known; the step-up is what is refused
            raise Forbidden(exc.detail, code=exc.code) from exc
        return principal

    return dependency
