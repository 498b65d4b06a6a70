"""The server span of each request (pure ASGI, outermost), present only when tracing is on.

It continues a caller's W3C trace (``traceparent``), and names the span ``METHOD route-template``
with the status and request id once the inner layers have answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nsl.adapters.tracing import TRACE_HEADERS

if TYPE_CHECKING:
    from nsl.adapters.tracing_export import Tracing

_TRACE_HEADER_NAMES = frozenset(name.encode() for name in TRACE_HEADERS)


def traced(app: ASGIApp, tracing: Tracing | None, exclude_paths: list[str]) -> ASGIApp:
    """``app`` itself when tracing is off: no layer, no cost."""
    return app if tracing is None else TracingMiddleware(app, tracing, exclude_paths)


class TracingMiddleware:
    def __init__(self, app: ASGIApp, tracing: Tracing, exclude_paths: list[str]) -> None:
        self.app = app
        self.tracer = tracing.tracer
        self.exclude = tuple(exclude_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self.exclude and scope["path"].startswith(self.exclude)):
            await self.app(scope, receive, send)
            return
        status = 0
        request_id: str | None = None

        async def traced_send(message: Message) -> None:
            nonlocal status, request_id
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", ()):
                    if name == b"x-request-id":
                        request_id = value.decode("latin-1")
            await send(message)

        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in _TRACE_HEADER_NAMES
        }
        with self.tracer.server_span(scope["method"], carrier) as span:
            try:
                await self.app(scope, receive, traced_send)
            finally:
                route = getattr(scope.get("route"), "path", None)
                span.finish(route, status, request_id)
