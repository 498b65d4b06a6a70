"""Test harness for the oracle: price sources served over real HTTP on loopback (honest,
lying, slow, broken, huge, redirecting to a private address), and oracle nodes — each a
runtime with its own node id on one shared database — spoken to in-process over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from nsl.core import catalogue
from nsl.core.clock import ManualClock
from nsl.core.settings import OracleSigner, Settings
from nsl.gateway.app import create_app
from nsl.runtime import Runtime
from nsl.services.oracle.service import OracleService

ADMIN_KEY = "nsl_test_admin_" + "o" * 40
QUIET = 3600.0  # periodic tasks run once at start; the tests drive rounds with run_task_once
ORACLE_ENTRY = catalogue.Entry(
    "oracle", 3, "nsl.services.oracle.service:OracleService", "oracle", needs=("contracts",)
)


def ensure_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the oracle even while it is not in the catalogue (a no-op once it is)."""
    if "oracle" not in catalogue.NAMES:
        monkeypatch.setattr(catalogue, "CATALOGUE", (*catalogue.CATALOGUE, ORACLE_ENTRY))
        monkeypatch.setattr(catalogue, "NAMES", catalogue.NAMES | {"oracle"})


class PriceServer:
    """JSON answers per path; ``behaviour[path]`` is a JSON value or one of the faults."""

    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}
        self.hits: dict[str, int] = {}
        self.runner: web.AppRunner | None = None
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._answer)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        self.hits[path] = self.hits.get(path, 0) + 1
        answer = self.answers.get(path)
        if answer == "slow":
            await asyncio.sleep(5)  # the source answers after the oracle's timeout
            return web.json_response({"price": "100"})
        if answer == "broken":
            return web.Response(text="<html>upstream error</html>", content_type="text/html")
        if answer == "huge":
            return web.Response(body=b'{"price": "100", "pad": "' + b"x" * 200_000 + b'"}')
        if answer == "private":
            raise web.HTTPFound("http://10.0.0.1/price")
        if answer == "secret":
            if request.headers.get("x-api-key") != "s3cret-key":
                return web.json_response({"error": "unauthorized"}, status=401)
            return web.json_response({"data": {"price": "100.01"}})
        if isinstance(answer, bytes):  # served as is (exact numbers beyond a float's)
            return web.Response(body=answer, content_type="application/json")
        if answer is None:
            return web.json_response({"error": "no such price"}, status=404)
        return web.Response(text=json.dumps(answer), content_type="application/json")

    def price(self, path: str, value: str) -> None:
        self.answers[path] = {"data": {"price": value}}


def make_settings(tmp_path: Path, node_id: str = "node-1", **oracle: Any) -> Settings:
    return Settings(
        env="test",
        data_dir=tmp_path / "var",
        bootstrap_admin_key=ADMIN_KEY,
        oracle={
            "node_id": node_id,
            "round_interval_s": QUIET,
            "allow_loopback_sources": True,
            "source_timeout_s": 1.0,
            "max_response_bytes": 4096,
            "latest_cache_s": 0,
            **oracle,
        },
    )


class Node:
    """One oracle node: a runtime (oracle + auth + contracts) and its in-process HTTP API."""

    def __init__(
        self, settings: Settings, clock: ManualClock, only: list[str] | None = None
    ) -> None:
        self.settings = settings
        self.runtime = Runtime(settings, clock=clock, only=only or ["oracle"])
        self.app = create_app(settings, runtime=self.runtime)
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://gateway.test"
        )
        self.admin = {"X-API-Key": ADMIN_KEY}

    @property
    def service(self) -> OracleService:
        service: OracleService = self.runtime.services["oracle"]
        return service

    async def start(self) -> None:
        await self.runtime.start()

    async def stop(self) -> None:
        await self.http.aclose()
        await self.runtime.stop()

    async def rounds(self) -> None:
        await self.service.run_task_once("rounds")
        task = next(t for t in self.service._tasks if t.name == "rounds")
        assert task.last_error == "", task.last_error

    async def user(self, name: str, roles: list[str] | None = None) -> dict[str, str]:
        auth = self.runtime.services["auth"]
        record = await auth.create_principal(
            name, "user", roles or ["developer"], "Correct-Horse-42!"
        )
        _, raw = await auth.create_api_key(record.id, f"{name}-key")
        return {"X-API-Key": raw}

    async def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        kwargs.setdefault("headers", self.admin)
        response = await self.http.request(method, f"/api/v1/oracle{path}", **kwargs)
        assert response.status_code == expect, response.text
        return response.json()


def signers_of(nodes: list[Node]) -> list[OracleSigner]:
    return [
        OracleSigner(
            neo_n3=n.service.keys.own().n3_public.hex(), neo_x=n.service.keys.own().x_public.hex()
        )
        for n in nodes
    ]


def feed_body(server: PriceServer, name: str, paths: list[str], **extra: Any) -> dict[str, Any]:
    sources = [{"name": p, "url": server.url(p), "path": "$.data.price"} for p in paths]
    return {"name": name, "decimals": 8, "sources": sources, **extra}


def pairs(items: dict[str, int]) -> Iterator[tuple[str, int]]:
    yield from sorted(items.items())
