"""Test harness: a storage service on a real database, software enclave and audit log, behind
the gateway's problem handlers and a test-only authentication that takes the caller from
headers (``X-Test-Principal``, ``X-Test-Roles``). ``stream_put``/``stream_get`` drive the ASGI
app directly so neither side of a transfer is ever held whole in memory."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tests.contexts import started_context

from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics
from nsl.core.security import Principal, Role
from nsl.core.settings import Settings
from nsl.gateway.problems import install_handlers
from nsl.services.storage.service import StorageService

MIB = 1024 * 1024
PREFIX = "/api/v1/storage"


class PrincipalFromHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            roles = headers.get("x-test-roles")
            if roles is not None:
                who = headers.get("x-test-principal", "alice")
                scope.setdefault("state", {})["principal"] = Principal(
                    id=who,
                    name=who,
                    kind="user",
                    roles=frozenset(Role(r) for r in roles.split(",")),
                )
        await self.app(scope, receive, send)


def build_app(service: StorageService) -> FastAPI:
    app = FastAPI()
    app.include_router(service.routes())
    install_handlers(app)
    app.add_middleware(PrincipalFromHeaders)
    return app


def make_settings(tmp_path: Path, **storage: Any) -> Settings:
    return Settings(env="test", data_dir=tmp_path / "var", master_key="22" * 32, storage=storage)


def pattern(size: int, seed: int = 0) -> Callable[[], AsyncIterator[bytes]]:
    """A deterministic body of ``size`` bytes made on the fly in 256 KiB pieces."""
    block = hashlib.sha256(str(seed).encode()).digest() * (256 * 1024 // 32)

    async def body() -> AsyncIterator[bytes]:
        left = size
        while left > 0:
            piece = block[: min(left, len(block))]
            left -= len(piece)
            yield piece

    return body


def digest_of(size: int, seed: int = 0) -> str:
    block = hashlib.sha256(str(seed).encode()).digest() * (256 * 1024 // 32)
    h = hashlib.sha256()
    left = size
    while left > 0:
        piece = block[: min(left, len(block))]
        left -= len(piece)
        h.update(piece)
    return h.hexdigest()


class Harness:
    def __init__(self, service: StorageService, database: Any, clock: ManualClock) -> None:
        self.service = service
        self.database = database
        self.clock = clock
        self.app = build_app(service)
        self.last_status = 0
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://test"
        )

    @staticmethod
    def as_(who: str = "alice", *roles: str) -> dict[str, str]:
        return {"X-Test-Roles": ",".join(roles or ("user",)), "X-Test-Principal": who}

    async def put(
        self,
        key: str,
        data: bytes,
        who: str = "alice",
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> httpx.Response:
        return await self.http.put(
            f"{PREFIX}/objects/{key}",
            content=data,
            params=params,
            headers={**self.as_(who), **(headers or {})},
        )

    async def get(self, key: str, who: str = "alice", **params: Any) -> httpx.Response:
        return await self.http.get(f"{PREFIX}/objects/{key}", params=params, headers=self.as_(who))

    async def call(
        self, method: str, url: str, who: str = "alice", *roles: str, **kwargs: Any
    ) -> httpx.Response:
        return await self.http.request(
            method, f"{PREFIX}{url}", headers=self.as_(who, *roles), **kwargs
        )

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.database.session() as session:
            return list((await session.execute(text(sql), params)).all())

    async def execute(self, sql: str, **params: Any) -> None:
        async with self.database.session() as session:
            await session.execute(text(sql), params)

    async def stream_put(
        self,
        key: str,
        body: Callable[[], AsyncIterator[bytes]],
        who: str = "alice",
        length: int | None = None,
    ) -> tuple[int, bytes]:
        """PUT through the ASGI app with a request body produced piece by piece (with a
        ``Content-Length`` when ``length`` is given, chunked otherwise)."""
        kept = bytearray()
        extra = {"content-length": str(length)} if length is not None else {}
        status = await self._exchange("PUT", key, who, body(), kept.extend, extra)
        return status, bytes(kept)

    async def stream_get(self, key: str, who: str = "alice") -> tuple[int, str, int]:
        """GET through the ASGI app, hashing the body as it arrives: (status, sha256, size)."""
        digest = hashlib.sha256()
        count = 0

        def sink(chunk: bytes) -> None:
            nonlocal count
            digest.update(chunk)
            count += len(chunk)

        status = await self._exchange("GET", key, who, None, sink)
        return status, digest.hexdigest(), count

    async def raw_get(self, key: str, who: str = "alice") -> tuple[bytes, BaseException | None]:
        """GET through the ASGI app: (bytes the app sent, what the app raised)."""
        sent = bytearray()
        try:
            await self._exchange("GET", key, who, None, sent.extend)
        except Exception as exc:
            return bytes(sent), exc
        return bytes(sent), None

    async def _exchange(
        self,
        method: str,
        key: str,
        who: str,
        body: AsyncIterator[bytes] | None,
        sink: Callable[[bytes], object],
        extra: dict[str, str] | None = None,
    ) -> int:
        """One request on the raw ASGI app; the response body goes to ``sink`` piece by piece."""
        status = 0
        finished = asyncio.Event()
        body_done = body is None
        first = True

        async def receive() -> Message:
            nonlocal body_done, first
            if body is None and first:
                first = False
                return {"type": "http.request", "body": b"", "more_body": False}
            if not body_done and body is not None:
                try:
                    piece = await body.__anext__()
                except StopAsyncIteration:
                    body_done = True
                    return {"type": "http.request", "body": b"", "more_body": False}
                return {"type": "http.request", "body": piece, "more_body": True}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = self.last_status = message["status"]
            elif message["type"] == "http.response.body":
                sink(message.get("body", b""))
                if not message.get("more_body", False):
                    finished.set()

        given = {**self.as_(who), **(extra or {})}
        headers = [(k.lower().encode(), v.encode()) for k, v in given.items()]
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": f"{PREFIX}/objects/{key}",
            "raw_path": f"{PREFIX}/objects/{key}".encode(),
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "server": ("test", 80),
        }
        try:
            await self.app(scope, receive, send)
        finally:
            finished.set()
        return status


async def start(settings: Settings, database: Any, clock: ManualClock, metrics: Metrics) -> Harness:
    ctx = await started_context(settings, database, clock, metrics)
    service = StorageService(ctx)
    await service.start()
    return Harness(service, database, clock)


async def stop(h: Harness) -> None:
    await h.http.aclose()
    await h.service.stop()
    await h.service.ctx.audit.close()  # type: ignore[attr-defined]
    await h.service.ctx.enclave.close()
