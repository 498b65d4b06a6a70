"""The hot read, ``GET /api/v1/configuration/{key}``, served without FastAPI's per-request work.

:class:`EntryReadRoute` is documented like any route but calls its endpoint with the bare
request; registered first, it declines the fixed paths (``export``, ``import``, ``schemas``,
``.../history``). :class:`EntryReadApp` is the same read as a bare ASGI app, for a gateway
that dispatches it ahead of FastAPI routing (after authenticating); it raises ``NslError``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

import orjson
from fastapi.routing import APIRoute
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from nsl.core.errors import ValidationFailed
from nsl.core.security import require_roles
from nsl.services.configuration.base import READ_ROLES
from nsl.services.configuration.rules import RESERVED_KEYS

if TYPE_CHECKING:
    from nsl.services.configuration.service import ConfigurationService

PREFIX = "/api/v1/configuration/"
_READER = require_roles(*READ_ROLES)
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class JsonResponse(Response):
    """JSON via orjson; bytes pass through as already-serialized JSON."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else orjson.dumps(content)


async def read_entry(service: ConfigurationService, request: Request, key: str) -> bytes:
    """Authorize the caller, then read ``key`` with the request's query parameters."""
    principal = _READER(request)
    if not request.scope.get("query_string"):
        return await service.read_bytes(key, principal=principal)
    params = request.query_params
    return await service.read_bytes(
        key,
        principal=principal,
        environment=params.get("environment"),
        reveal=flag(params, "reveal"),
    )


class EntryReadRoute(APIRoute):
    """An API route whose endpoint takes only the request (no dependency injection)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is not Match.NONE and is_fixed_path(child["path_params"].get("key", "")):
            return Match.NONE, {}
        return match, child

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint: Callable[[Request], Awaitable[Response]] = self.endpoint

        async def handler(request: Request) -> Response:
            return await endpoint(request)

        return handler


class EntryReadApp:
    """``GET /api/v1/configuration/{key}`` as a bare ASGI app (the principal in scope state)."""

    def __init__(self, service: ConfigurationService) -> None:
        self.service = service

    @staticmethod
    def key_of(scope: Scope) -> str | None:
        """The key when ``scope`` is an entry read this app serves, else None."""
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        if not path.startswith(PREFIX):
            return None
        key = path[len(PREFIX) :]
        return None if is_fixed_path(key) else key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self.key_of(scope)
        if key is None:
            raise ValueError("not an entry read: dispatch only what key_of() accepts")
        body = await read_entry(self.service, Request(scope), key)
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


def is_fixed_path(key: str) -> bool:
    """Whether a ``{key:path}`` value is really one of the fixed routes."""
    return key in RESERVED_KEYS or key.endswith("/history") or not key


def flag(params: QueryParams, name: str) -> bool:
    """A boolean query parameter, read as FastAPI would (absent: false)."""
    value = params.get(name)
    if value is None:
        return False
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValidationFailed.on(name, "boolean", "must be true or false")


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


ENTRY_READ_PARAMETERS = [
    {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}},
    _query(
        "environment",
        {"type": "string", "enum": ["development", "test", "staging", "production"]},
        "defaults to the process's environment",
    ),
    _query(
        "reveal", {"type": "boolean", "default": False}, "show secrets (admin, operator, service)"
    ),
]
