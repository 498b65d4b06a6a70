"""Who is calling: principals, roles, and the route guards services use.

The gateway authenticates each request and stores the :class:`Principal` in the ASGI
scope's state; routes ask for it with :func:`require_roles`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from starlette.requests import Request

from nsl.core.errors import Forbidden, Unauthenticated


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    DEVELOPER = "developer"
    USER = "user"
    AUDITOR = "auditor"
    SERVICE = "service"


ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user or a service account."""

    id: str
    name: str
    kind: str
    roles: frozenset[Role]
    method: str = "api_key"
    mfa: bool = False
    credential_id: str | None = None

    def has_any(self, roles: frozenset[Role] | set[Role]) -> bool:
        return bool(self.roles & roles)


def principal_of(request: Request) -> Principal | None:
    """The request's authenticated principal, if any."""
    principal = request.scope.get("state", {}).get("principal")
    return principal if isinstance(principal, Principal) else None


def require_roles(*roles: Role) -> Callable[[Request], Principal]:
    """A FastAPI dependency: the caller must be authenticated and hold one of ``roles``."""
    allowed = frozenset(roles) if roles else ALL_ROLES

    def dependency(request: Request) -> Principal:
        principal = principal_of(request)
        if principal is None:
            raise Unauthenticated("send an X-API-Key header or an Authorization: Bearer token")
        if not principal.has_any(allowed):
            raise Forbidden(
                "this operation needs one of the roles: "
                + ", ".join(sorted(r.value for r in allowed)),
                code="auth.role_required",
            )
        return principal

    return dependency
