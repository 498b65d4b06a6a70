"""Test harness: a configuration service on a real database, behind a tiny test-only app.

The app mounts only the service's router, maps ``NslError`` to its status, and takes the
caller from test headers (``X-Test-Principal``, ``X-Test-Roles``); the gateway is not involved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.types import ASGIApp, Receive, Scope, Send
from tests.contexts import embedded_context

from nsl.adapters.cache_memory import MemoryCache
from nsl.core.clock import ManualClock
from nsl.core.context import ServiceContext
from nsl.core.errors import NslError
from nsl.core.metrics import Metrics
from nsl.core.security import Principal, Role
from nsl.core.settings import Settings
from nsl.services.configuration.service import ConfigurationService

MASTER_KEY_HEX = "11" * 32


class PrincipalFromHeaders:
    """Test-only authentication: the principal named by headers, or none."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            roles = headers.get("x-test-roles")
            if roles is not None:
                principal = Principal(
                    id=headers.get("x-test-principal", "p-test"),
                    name="tester",
                    kind="user",
                    roles=frozenset(Role(r) for r in roles.split(",") if r),
                )
                scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


def build_app(service: ConfigurationService) -> FastAPI:
    app = FastAPI()
    app.include_router(service.routes())

    @app.exception_handler(NslError)
    async def nsl_error(_: Request, exc: NslError) -> JSONResponse:
        body = {"code": exc.code, "detail": exc.detail, "errors": [f.as_dict() for f in exc.fields]}
        return JSONResponse(body, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": ".".join(map(str, e["loc"])), "rule": e["type"]} for e in exc.errors()]
        return JSONResponse({"code": "request.invalid", "errors": errors}, status_code=422)

    app.add_middleware(PrincipalFromHeaders)
    return app


class Harness:
    """The service, its parts, and helpers to call it as a given role."""

    def __init__(self, service: ConfigurationService, database: Any, clock: ManualClock) -> None:
        self.service = service
        self.database = database
        self.clock = clock
        self.cache: MemoryCache = service.ctx.cache  # type: ignore[assignment]
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=build_app(service)), base_url="http://test"
        )

    @staticmethod
    def as_(*roles: str, who: str = "p-test") -> dict[str, str]:
        return {"X-Test-Roles": ",".join(roles), "X-Test-Principal": who}

    async def put(
        self, key: str, body: dict[str, Any], role: str = "operator", **params: Any
    ) -> httpx.Response:
        return await self.http.put(
            f"/api/v1/configuration/{key}", json=body, params=params, headers=self.as_(role)
        )

    async def get(self, key: str, role: str = "user", **params: Any) -> httpx.Response:
        return await self.http.get(
            f"/api/v1/configuration/{key}", params=params, headers=self.as_(role)
        )

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.database.session() as session:
            return list((await session.execute(text(sql), params)).all())

    async def events(self) -> list[tuple[str, dict[str, Any]]]:
        """Outbox events in the order they were written, payloads decoded."""
        import json

        rows = await self.rows("SELECT topic, payload FROM core_outbox ORDER BY created_at, id")
        return [(t, p if isinstance(p, dict) else json.loads(p)) for t, p in rows]


def make_settings(
    tmp_path: Path, master_key: str = MASTER_KEY_HEX, **configuration: Any
) -> Settings:
    return Settings(
        env="test",
        data_dir=tmp_path / "var",
        master_key=master_key,
        configuration=configuration,
    )


def make_context(
    settings: Settings, database: Any, clock: ManualClock, metrics: Metrics
) -> ServiceContext:
    return embedded_context(settings, database, clock, metrics)
