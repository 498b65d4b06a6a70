"""Route guards: any role but auditor; TOTP for delete and export (missing or wrong: 403)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request

from nsl.core.context import ServiceContext
from nsl.core.security import Principal, require_roles
from nsl.services.auth.client import require_totp
from nsl.services.keys.base import KEY_ROLES

_KEY_USER = require_roles(*KEY_ROLES)


async def key_user(request: Request) -> Principal:
    return _KEY_USER(request)


def totp_key_user(ctx: ServiceContext) -> Callable[..., Awaitable[Principal]]:
    """A key user who also sends a fresh TOTP code in ``X-TOTP-Code``."""
    return require_totp(ctx, *KEY_ROLES)
