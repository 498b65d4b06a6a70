"""Test harness for the automation service: a gateway (runtime on a manual clock) spoken to
in-process, a local webhook receiver, and signing of webhook-trigger calls done here with
``hmac`` (independent of the service's own signing module)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy import text
from tests.polling import eventually

from nsl.core.clock import ManualClock
from nsl.core.settings import Settings
from nsl.gateway.app import create_app
from nsl.runtime import Runtime
from nsl.services.automation.schemas import CreateJob
from nsl.services.automation.service import AutomationService

ADMIN_KEY = "nsl_test_admin_" + "a" * 40
QUIET = 3600.0  # periodic tasks run once at start; the tests drive them with run_task_once
AUTOMATION = {
    "tick_interval_s": QUIET,
    "watch_interval_s": QUIET,
    "lease_ttl_s": 30.0,
    "retry_base_s": 2.0,
    "retry_cap_s": 30.0,
    "action_timeout_s": 5.0,
    "allow_private_webhooks": True,  # the receiver listens on 127.0.0.1 (tests only)
}
PRINCIPAL_SECRET = "Correct-Horse-42!"


def make_settings(tmp_path: Path, overrides: dict[str, Any], **automation: Any) -> Settings:
    return Settings(
        env="test",
        data_dir=tmp_path / "var",
        bootstrap_admin_key=ADMIN_KEY,
        automation={**AUTOMATION, **automation},
        events={"poll_interval_s": QUIET, "delivery_interval_s": QUIET},  # event triggers
        keys={"usage_flush_interval_s": 3600, "maintenance_interval_s": 3600},
        **overrides,
    )


class Api:
    """A started gateway running automation (and auth, and ``extra`` services)."""

    def __init__(self, settings: Settings, clock: ManualClock, extra: tuple[str, ...] = ()) -> None:
        self.settings = settings
        self.clock = clock
        self.runtime = Runtime(settings, clock=clock, only=["automation", *extra])
        self.app = create_app(settings, runtime=self.runtime)
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://gateway.test", timeout=120
        )

    @property
    def service(self) -> AutomationService:
        service: AutomationService = self.runtime.services["automation"]
        return service

    async def __aenter__(self) -> Api:
        await self.runtime.start()
        await eventually(self._settled, within=30)
        return self

    async def _settled(self) -> bool:
        health = await self.service.health()
        return not any(".task." in c.name and c.detail == "starting" for c in health.checks)

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()
        await self.runtime.stop()

    def admin(self) -> dict[str, str]:
        return {"X-API-Key": ADMIN_KEY}

    async def user(self, name: str, roles: list[str] | None = None) -> dict[str, str]:
        auth = self.runtime.services["auth"]
        record = await auth.create_principal(name, "user", roles or ["developer"], PRINCIPAL_SECRET)
        _, raw = await auth.create_api_key(record.id, f"{name}-key")
        return {"X-API-Key": raw}

    async def create(self, headers: dict[str, str], **body: Any) -> dict[str, Any]:
        body.setdefault("name", "job")
        created = await self.http.post("/api/v1/automation/jobs", json=body, headers=headers)
        assert created.status_code == 201, created.text
        answer: dict[str, Any] = created.json()
        return answer

    async def create_direct(self, headers: dict[str, str], **body: Any) -> dict[str, Any]:
        """Through the service (no per-IP write limit): for tests making many jobs."""
        principal = await self.runtime.services["auth"].authenticate_api_key(headers["X-API-Key"])
        return await self.service.create(CreateJob(**body), principal=principal)

    async def get(self, path: str, headers: dict[str, str], **params: Any) -> Any:
        answer = await self.http.get(f"/api/v1/automation{path}", headers=headers, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def executions(self, headers: dict[str, str], job_id: str) -> list[dict[str, Any]]:
        listing = await self.get(f"/jobs/{job_id}/executions", headers, page_size=500)
        items: list[dict[str, Any]] = listing["items"]
        return items

    async def tick(self) -> None:
        """One scheduler round, and the actions it started."""
        await self.service.run_task_once("tick")
        await self.service.idle()

    async def execute(self, sql: str, **params: Any) -> None:
        async with self.runtime.adapters.database.session() as session:
            await session.execute(text(sql), params)

    async def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        async with self.runtime.adapters.database.session() as session:
            result = await session.execute(text(sql), params)
            return [dict(r._mapping) for r in result]


def sign(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return {"X-NSL-Timestamp": str(timestamp), "X-NSL-Signature": "v1=" + mac.hexdigest()}


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1: records every request, answers ``statuses`` in turn
    (then 200)."""

    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    url: str = ""
    hold: asyncio.Event | None = None  # when set: requests wait for it before the answer
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append(Received(dict(request.headers), await request.read()))
        if self.hold is not None:
            await self.hold.wait()
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status, text="ok" if status < 300 else "nope")

    def valid(self, secret: str, received: Received) -> bool:
        """Whether the request carries a correct signature of its body (checked here)."""
        stamp = int(received.headers["X-NSL-Timestamp"])
        expected = sign(secret, stamp, received.body)["X-NSL-Signature"]
        return hmac.compare_digest(expected, received.headers["X-NSL-Signature"])
