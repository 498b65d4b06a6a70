"""The gateway's reverse proxy streams an upload to the service process: the upstream sees the
first bytes while the client is still sending (a buffering proxy would deadlock here)."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from aiohttp import web
from starlette.types import Message

from nsl.core.settings import GatewaySettings
from nsl.gateway.proxy import Proxy

PIECE = 64 * 1024
PIECES = 64


async def test_the_proxy_forwards_an_upload_before_the_body_has_ended() -> None:
    first_bytes = asyncio.Event()
    received: dict[str, Any] = {}

    async def upstream(request: web.Request) -> web.Response:
        digest, size = hashlib.sha256(), 0
        async for piece in request.content.iter_any():
            first_bytes.set()
            digest.update(piece)
            size += len(piece)
        received.update(size=size, sha=digest.hexdigest())
        return web.json_response({"size": size}, status=201)

    app = web.Application()
    app.router.add_put("/{tail:.*}", upstream)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    proxy = Proxy(GatewaySettings(), trust_forwarded_for=False)
    sent = hashlib.sha256()
    count = 0

    async def receive() -> Message:
        nonlocal count
        if count == PIECES // 2:  # hold the rest back until the upstream has seen bytes
            await first_bytes.wait()
        if count == PIECES:
            return {"type": "http.request", "body": b"", "more_body": False}
        piece = bytes([count]) * PIECE
        sent.update(piece)
        count += 1
        return {"type": "http.request", "body": piece, "more_body": True}

    answer: list[Message] = []

    async def send(message: Message) -> None:
        answer.append(message)

    scope = {
        "type": "http",
        "method": "PUT",
        "path": "/api/v1/storage/objects/k",
        "raw_path": b"/api/v1/storage/objects/k",
        "query_string": b"",
        "headers": [(b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 1),
        "scheme": "http",
    }
    try:
        await asyncio.wait_for(
            proxy.forward("storage", lambda: f"http://127.0.0.1:{port}", scope, receive, send),
            timeout=30,
        )
    finally:
        await proxy.aclose()
        await runner.cleanup()
    assert answer[0]["status"] == 201
    assert received == {"size": PIECE * PIECES, "sha": sent.hexdigest()}
