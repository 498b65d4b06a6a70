"""The hot operations, ``POST /api/v1/keys/{key_id}/sign`` and ``.../verify``, as a bare ASGI
app the gateway dispatches ahead of FastAPI routing (after authentication and rate limits).

Same bodies, rules and answers as the documented routes; only the framework's per-request
work (route matching, dependency solving) is skipped. Errors are raised as ``NslError``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from nsl.core.errors import BadRequest, FieldIssue, PayloadTooLarge, ValidationFailed
from nsl.core.security import Principal, require_roles
from nsl.services.keys.base import KEY_ROLES
from nsl.services.keys.schemas import SignBody, VerifyBody

if TYPE_CHECKING:
    from nsl.services.keys.service import KeysService

PREFIX = "/api/v1/keys/"
TEMPLATE = "/api/v1/keys/{key_id}/"
_KEY_USER = require_roles(*KEY_ROLES)
Handler = Callable[[str, Any, Principal], Awaitable[dict[str, Any]]]


class KeyActionApp:
    """Serves the key actions in ``ACTIONS`` (sign, verify) for a principal in scope state."""

    ACTIONS: tuple[str, ...] = ("sign", "verify")

    def __init__(self, service: KeysService) -> None:
        self._actions: dict[str, tuple[type[BaseModel], Handler]] = {
            "sign": (SignBody, lambda k, b, p: service.sign(k, b, principal=p)),
            "verify": (VerifyBody, lambda k, b, p: service.verify(k, b, principal=p)),
        }

    @staticmethod
    def target(scope: Scope) -> tuple[str, str] | None:
        """``(key_id, action)`` when ``scope`` is a request this app serves, else None."""
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("query_string"):
            return None
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        if not path.startswith(PREFIX):
            return None
        key_id, _, action = path[len(PREFIX) :].partition("/")
        if not key_id or action not in KeyActionApp.ACTIONS:
            return None
        return key_id, action

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.target(scope)
        if found is None:
            raise ValueError("not a key action: dispatch only what target() accepts")
        key_id, action = found
        principal = _KEY_USER(Request(scope))
        schema, handler = self._actions[action]
        body = parse(schema, await read_body(receive))
        payload = orjson.dumps(await handler(key_id, body, principal))
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def matcher(action: str) -> Callable[[Scope], bool]:
    """Whether a request is ``action`` on a key (for the gateway's fast-route table)."""

    def matches(scope: Scope) -> bool:
        found = KeyActionApp.target(scope)
        return found is not None and found[1] == action

    return matches


async def read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    more = True
    try:
        while more:
            message = await receive()
            if message["type"] != "http.request":
                raise BadRequest("the client went away", code="request.incomplete")
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
    except HTTPException as exc:  # the gateway's body limit
        raise PayloadTooLarge(str(exc.detail)) from exc
    return b"".join(chunks)


def parse(schema: type[BaseModel], body: bytes) -> Any:
    """The body as ``schema``; problems named as the framework names them."""
    try:
        return schema.model_validate_json(body)
    except ValidationError as exc:
        issues = [
            FieldIssue(".".join(str(p) for p in e["loc"]) or "body", e["type"], e["msg"])
            for e in exc.errors()
        ]
        if any(i.rule == "json_invalid" for i in issues):
            raise BadRequest(
                "the body is not valid JSON", code="request.malformed_json", fields=issues
            ) from None
        detail = "; ".join(f"{i.field}: {i.message}" for i in issues[:5])
        raise ValidationFailed(detail, fields=issues) from None
