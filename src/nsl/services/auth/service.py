"""The auth service: principals, API keys, tokens, lockout and TOTP, assembled from its use cases.

Use cases live in ``authn`` (hot path), ``sessions``, ``mfa``, ``principals``, ``keys`` and
``bootstrap``; this class only names the service and exposes its routes.
"""

from __future__ import annotations

from fastapi import APIRouter

from nsl.services.auth.bootstrap import Bootstrap
from nsl.services.auth.mfa import Mfa
from nsl.services.auth.router import build_router
from nsl.services.auth.sessions import Sessions


class AuthService(Bootstrap, Sessions, Mfa):
    """Authentication for every other service; the gateway calls ``authenticate_*`` per request."""

    name = "auth"
    phase = 1
    description = "principals, API keys, tokens, TOTP"

    def routes(self) -> APIRouter:
        return build_router(self)
