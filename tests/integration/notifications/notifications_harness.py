"""Test harness for the notifications service: a gateway (runtime on a manual clock) spoken to
in-process, a local HTTP receiver (webhook, Slack, Discord, Telegram) and a local SMTP server
(aiosmtpd) with password authentication."""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import text
from tests.polling import eventually

from nsl.core.clock import ManualClock
from nsl.core.settings import Settings
from nsl.gateway.app import create_app
from nsl.runtime import Runtime
from nsl.services.notifications.service import NotificationsService

ADMIN_KEY = "nsl_test_admin_" + "n" * 40
QUIET = 3600.0  # periodic tasks run once at start; the tests drive them with run_task_once
NOTIFICATIONS = {
    "delivery_interval_s": QUIET,
    "allow_loopback": True,
    "send_timeout_s": 1.0,
    "backoff_base_s": 2.0,
    "backoff_cap_s": 60.0,
    "max_age_s": 600.0,
}


def make_settings(tmp_path: Path, overrides: dict[str, Any], **notifications: Any) -> Settings:
    return Settings(
        env="test",
        data_dir=tmp_path / "var",
        bootstrap_admin_key=ADMIN_KEY,
        notifications={**NOTIFICATIONS, **notifications},
        **overrides,
    )


class Api:
    """A started gateway running notifications (with auth and secrets), on a manual clock."""

    def __init__(self, settings: Settings, clock: ManualClock) -> None:
        self.settings = settings
        self.clock = clock
        self.runtime = Runtime(settings, clock=clock, only=["notifications", "secrets"])
        self.app = create_app(settings, runtime=self.runtime)
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://gateway.test"
        )

    @property
    def service(self) -> NotificationsService:
        service: NotificationsService = self.runtime.services["notifications"]
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

    async def user(self, name: str, roles: list[str] | None = None) -> dict[str, str]:
        auth = self.runtime.services["auth"]
        record = await auth.create_principal(
            name, "user", roles or ["developer"], "Correct-Horse-42!"
        )
        _, raw = await auth.create_api_key(record.id, f"{name}-key")
        return {"X-API-Key": raw}

    async def call(
        self, method: str, path: str, headers: dict[str, str], expect: int = 200, **kw: Any
    ) -> Any:
        response = await self.http.request(
            method, f"/api/v1/notifications{path}", headers=headers, **kw
        )
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    async def channel(self, headers: dict[str, str], **body: Any) -> dict[str, Any]:
        answer: dict[str, Any] = await self.call(
            "POST", "/channels", headers, 201, json={"name": body.get("type", "c"), **body}
        )
        return answer

    async def send(self, headers: dict[str, str], **body: Any) -> str:
        answer = await self.call("POST", "", headers, 202, json=body)
        notification_id: str = answer["id"]
        return notification_id

    async def deliver(self) -> None:
        await self.service.run_task_once("deliver")

    async def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        async with self.runtime.adapters.database.session() as session:
            result = await session.execute(text(sql), params)
            return [dict(r._mapping) for r in result]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An HTTP endpoint on 127.0.0.1 recording every POST; answers ``statuses`` in turn (then
    200); ``hang`` holds the next requests without answering (a timeout)."""

    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    hang: int = 0
    base: str = ""
    _runner: web.AppRunner | None = None
    _never: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        self._never.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.hang > 0:
            self.hang -= 1
            await self._never.wait()
        self.requests.append(Received(request.path, dict(request.headers), body))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status, text="ok" if status < 300 else "nope")


class Smtp:
    """A local SMTP server (aiosmtpd, in its own thread) accepting one user and password."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[str] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=False,
            auth_required=True,
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.user,
            self.password,
        )
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"
