"""Test harness: a secrets service on a real database, software enclave and audit log, behind a
tiny test-only app that takes the caller from headers (``X-Test-Principal``, ``X-Test-Roles``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.types import ASGIApp, Receive, Scope, Send
from tests.contexts import started_context

from nsl.core.clock import ManualClock
from nsl.core.context import ServiceContext
from nsl.core.errors import NslError
from nsl.core.metrics import Metrics
from nsl.core.security import Principal, Role
from nsl.core.settings import Settings
from nsl.services.secrets.service import SecretsService


class PrincipalFromHeaders:
    """Test-only authentication: the principal named by headers, or none."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            roles = headers.get("x-test-roles")
            if roles is not None:
                scope.setdefault("state", {})["principal"] = principal(
                    headers.get("x-test-principal", "alice"), *roles.split(",")
                )
        await self.app(scope, receive, send)


def principal(who: str, *roles: str) -> Principal:
    return Principal(id=who, name=who, kind="user", roles=frozenset(Role(r) for r in roles if r))


def build_app(service: SecretsService) -> FastAPI:
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


def make_settings(tmp_path: Path, **secrets: Any) -> Settings:
    return Settings(env="test", data_dir=tmp_path / "var", master_key="11" * 32, secrets=secrets)


async def start_service(
    settings: Settings, database: Any, clock: ManualClock, metrics: Metrics
) -> SecretsService:
    ctx = await started_context(settings, database, clock, metrics)
    service = SecretsService(ctx)
    await service.start()
    return service


async def stop_service(service: SecretsService) -> None:
    await service.stop()
    await service.ctx.audit.close()  # type: ignore[attr-defined]
    await service.ctx.enclave.close()


class Harness:
    """The service and helpers to call it over HTTP as a given principal."""

    def __init__(self, service: SecretsService, database: Any, clock: ManualClock) -> None:
        self.service = service
        self.database = database
        self.clock = clock
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=build_app(service)), base_url="http://test"
        )

    @property
    def ctx(self) -> ServiceContext:
        return self.service.ctx

    @staticmethod
    def as_(who: str = "alice", *roles: str) -> dict[str, str]:
        return {"X-Test-Roles": ",".join(roles or ("user",)), "X-Test-Principal": who}

    async def put(
        self, path: str, data: Any, who: str = "alice", cas: int | None = None
    ) -> httpx.Response:
        body: dict[str, Any] = {"data": data}
        if cas is not None:
            body["cas"] = cas
        return await self.http.put(f"/api/v1/secrets/{path}", json=body, headers=self.as_(who))

    async def get(self, path: str, who: str = "alice", **params: Any) -> httpx.Response:
        return await self.http.get(f"/api/v1/secrets/{path}", params=params, headers=self.as_(who))

    async def request(
        self, method: str, url: str, who: str = "alice", *roles: str, **kwargs: Any
    ) -> httpx.Response:
        return await self.http.request(
            method, f"/api/v1/secrets{url}", headers=self.as_(who, *roles), **kwargs
        )

    async def policy(self, pattern: str, subject: str, *caps: str, effect: str = "allow") -> str:
        body = {
            "pattern": pattern,
            "subject": subject,
            "capabilities": list(caps),
            "effect": effect,
        }
        response = await self.request("POST", "/_policies", "root", "admin", json=body)
        assert response.status_code == 201, response.text
        policy_id: str = response.json()["id"]
        return policy_id

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.database.session() as session:
            return list((await session.execute(text(sql), params)).all())

    async def events(self, topic: str) -> list[dict[str, Any]]:
        rows = await self.rows(
            "SELECT payload FROM core_outbox WHERE topic = :t ORDER BY created_at, id", t=topic
        )
        return [p if isinstance(p, dict) else json.loads(p) for (p,) in rows]

    async def audit(self, action: str | None = None) -> list[dict[str, Any]]:
        """Audit entries of this service, oldest first."""
        sql = (
            "SELECT actor, action, target, outcome, data_hash, details FROM audit_entries "
            "WHERE service = 'secrets' ORDER BY seq"
        )
        keys = ("actor", "action", "target", "outcome", "data_hash", "details")
        entries = [dict(zip(keys, row, strict=True)) for row in await self.rows(sql)]
        for entry in entries:
            if isinstance(entry["details"], str):  # JSON text on SQLite
                entry["details"] = json.loads(entry["details"])
        return [e for e in entries if action is None or e["action"] == action]
