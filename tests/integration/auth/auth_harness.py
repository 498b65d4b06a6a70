"""Test harness: a started auth service on a real database, behind a tiny test-only app.

The app mounts the auth router, authenticates ``X-API-Key`` / ``Authorization: Bearer``
with the service itself (as the gateway does), and maps ``NslError`` to its HTTP status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send
from tests.contexts import embedded_context

from nsl.core.clock import ManualClock
from nsl.core.context import ServiceContext
from nsl.core.errors import NslError
from nsl.core.metrics import Metrics
from nsl.core.security import Principal
from nsl.core.settings import AuthSettings, Settings
from nsl.services.auth.client import require_totp
from nsl.services.auth.service import AuthService

JWT_SECRET = "k9Qm2XvB7rT4pL8sW1zN6cY3hJ5dF0gA-Ue7Ri2Oo9Pp4Ll1Kk6Jj3Hh8Gg5Ff0Dd"
PASSWORD = "Correct-Horse-42!"


def make_settings(data_dir: Path, **auth: Any) -> Settings:
    return Settings(
        env="test",
        data_dir=data_dir,
        auth=AuthSettings(jwt_secret=SecretStr(JWT_SECRET), **auth),
    )


def make_context(
    settings: Settings, database: Any, clock: ManualClock, metrics: Metrics, cache: Any = None
) -> ServiceContext:
    return embedded_context(settings, database, clock, metrics, cache)


class Authenticate:
    """Test-only stand-in for the gateway's access middleware: same calls, same 401s."""

    def __init__(self, app: ASGIApp, auth: AuthService) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            try:
                principal = await self._principal(headers)
            except NslError as exc:
                await error_response(exc)(scope, receive, send)
                return
            if principal is not None:
                scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)

    async def _principal(self, headers: dict[str, str]) -> Principal | None:
        if "x-api-key" in headers:
            return await self.auth.authenticate_api_key(headers["x-api-key"])
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token:
            return await self.auth.authenticate_bearer(token)
        return None


def error_response(exc: NslError) -> JSONResponse:
    body = {"code": exc.code, "detail": exc.detail, "errors": [f.as_dict() for f in exc.fields]}
    return JSONResponse(body, status_code=exc.status)


def build_app(service: AuthService) -> FastAPI:
    app = FastAPI()
    app.include_router(service.routes())

    @app.post("/test/sensitive")
    async def sensitive(caller: Principal = Depends(require_totp(service.ctx))) -> dict[str, str]:
        return {"id": caller.id}

    @app.exception_handler(NslError)
    async def nsl_error(_: Request, exc: NslError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(map(str, e["loc"][1:])), "rule": e["type"]} for e in exc.errors()
        ]
        return JSONResponse({"code": "request.invalid", "errors": errors}, status_code=422)

    app.add_middleware(Authenticate, auth=service)
    return app


@dataclass
class Harness:
    """The service, its HTTP face, the database and the clock of one test."""

    auth: AuthService
    http: httpx.AsyncClient
    database: Any
    clock: ManualClock
    data_dir: Path

    async def principal_with_key(
        self, name: str, roles: list[str], password: str | None = None
    ) -> tuple[str, str]:
        """A new principal and a raw API key for it."""
        record = await self.auth.create_principal(name, "user", roles, password)
        _, raw = await self.auth.create_api_key(record.id, f"{name}-key")
        return record.id, raw

    async def login(self, username: str, password: str = PASSWORD, **extra: Any) -> httpx.Response:
        body = {"username": username, "password": password, **extra}
        return await self.http.post("/api/v1/auth/token", json=body)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
