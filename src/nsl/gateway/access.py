"""Access middleware (pure ASGI): authenticate the caller, then apply rate limits.

Credentials, when sent, must be valid (401 otherwise); routes decide whether they are
required. Limits apply per client IP before authentication and per principal after it.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from nsl.core.errors import NslError, RateLimited, Unavailable
from nsl.core.metrics import Metrics
from nsl.core.ports import RateDecision, RateLimiter
from nsl.core.security import Principal
from nsl.core.service import FastRoute
from nsl.core.settings import RateLimitSettings, RouteClassLimits
from nsl.gateway.edge import RESPONSE_HEADERS
from nsl.gateway.problems import from_error

log = logging.getLogger(__name__)

EXEMPT = ("/health", "/metrics")
AUTH_PATHS = ("/api/v1/auth/token", "/api/v1/auth/refresh")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def route_class(method: str, path: str) -> str:
    if path.startswith(AUTH_PATHS):
        return "auth"
    return "read" if method in READ_METHODS else "write"


class AccessMiddleware:
    """Resolves the principal into ``scope['state']`` and enforces the sliding windows."""

    def __init__(
        self,
        app: ASGIApp,
        auth: Any,
        limiter: RateLimiter,
        fallback: RateLimiter,
        settings: RateLimitSettings,
        metrics: Metrics,
        fast_routes: list[FastRoute] | None = None,
    ) -> None:
        self.app = app
        self.auth = auth
        self.limiter = limiter
        self.fallback = fallback
        self.settings = settings
        self.metrics = metrics
        self.fast_routes = fast_routes or []
        self.degraded = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        kind = route_class(scope["method"], path)
        try:
            decision = await self._limit(
                "ip", self._client_ip(scope, headers), kind, self.settings.per_ip
            )
            principal = await self._authenticate(headers)
            if principal is not None:
                scope.setdefault("state", {})["principal"] = principal
                decision = await self._limit(
                    "principal", principal.id, kind, self.settings.per_principal
                )
        except NslError as exc:
            await from_error(exc)(scope, receive, send)
            return
        if decision is not None:
            scope[RESPONSE_HEADERS] = _rate_headers(decision)
        for route in self.fast_routes:
            if route.matches(scope):
                scope["route"] = route
                try:
                    await route.app(scope, receive, send)
                except NslError as exc:
                    await from_error(exc)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _authenticate(self, headers: Headers) -> Principal | None:
        api_key = headers.get("x-api-key")
        if api_key:
            principal: Principal = await self.auth.authenticate_api_key(api_key)
            return principal
        authorization = headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token:
            principal = await self.auth.authenticate_bearer(token.strip())
            return principal
        return None

    async def _limit(
        self, scope_name: str, who: str, kind: str, limits: RouteClassLimits
    ) -> RateDecision | None:
        if not self.settings.enabled:
            return None
        limit: int = getattr(limits, kind)
        key = f"rl:{scope_name}:{kind}:{who}"
        window = self.settings.window_s
        try:
            decision = await self.limiter.hit(key, limit, window)
            self.degraded = False
        except Unavailable:
            if not self.degraded:
                log.warning(
                    "rate limiter backend unavailable; counting in-process until it returns"
                )
            self.degraded = True
            decision = await self.fallback.hit(key, limit, window)
        if not decision.allowed:
            self.metrics.rate_limit_rejections.labels(scope_name, kind).inc()
            headers = {k.decode(): v.decode() for k, v in _rate_headers(decision)}
            headers["Retry-After"] = str(decision.retry_after_s)
            raise RateLimited(
                f"more than {limit} {kind} requests in {window}s for this {scope_name}; "
                f"retry after {decision.retry_after_s}s",
                headers=headers,
            )
        return decision

    def _client_ip(self, scope: Scope, headers: Headers) -> str:
        if self.settings.trust_forwarded_for:
            forwarded = headers.get("x-forwarded-for")
            if forwarded:
                return forwarded.split(",")[0].strip()
        client = scope.get("client")
        return str(client[0]) if client else "unknown"


def _rate_headers(decision: RateDecision) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-ratelimit-limit", str(decision.limit).encode()),
        (b"x-ratelimit-remaining", str(max(decision.remaining, 0)).encode()),
        (b"x-ratelimit-reset", str(math.ceil(decision.reset_at)).encode()),
    ]
