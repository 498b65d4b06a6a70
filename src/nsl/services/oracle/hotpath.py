"""The hot read, ``GET /api/v1/oracle/feeds/{feed}/latest``, as a bare ASGI app the gateway
dispatches ahead of FastAPI routing (after authentication and rate limits). Same answer and
rules as the documented route; only the framework's per-request work is skipped."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from nsl.core.security import Role, require_roles

if TYPE_CHECKING:
    from nsl.services.oracle.feeds import FeedUseCases

PREFIX = "/api/v1/oracle/feeds/"
SUFFIX = "/latest"
TEMPLATE = "/api/v1/oracle/feeds/{feed}/latest"
_ANY_ROLE = require_roles(*Role)


class LatestReadApp:
    def __init__(self, service: FeedUseCases) -> None:
        self.service = service

    @staticmethod
    def feed_of(scope: Scope) -> str | None:
        """The feed name when ``scope`` is a latest read this app serves, else None."""
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("query_string"):
            return None
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        if not path.startswith(PREFIX) or not path.endswith(SUFFIX):
            return None
        feed = path[len(PREFIX) : -len(SUFFIX)]
        return feed or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        feed = self.feed_of(scope)
        if feed is None:
            raise ValueError("not a latest read: dispatch only what feed_of() accepts")
        principal = _ANY_ROLE(Request(scope))
        body = orjson.dumps(await self.service.latest(feed, principal=principal))
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
