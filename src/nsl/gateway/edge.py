"""Edge middleware (pure ASGI): request id, metrics by route template, security headers, body limit.

One layer instead of several keeps the per-request cost low: it is on every request.
"""

from __future__ import annotations

import logging
import os
import re
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nsl.core.logs import request_id_var
from nsl.core.metrics import Metrics
from nsl.core.settings import Settings
from nsl.gateway.problems import problem

log = logging.getLogger(__name__)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
API_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
DOCS_CSP = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
    b"https://fastapi.tiangolo.com; frame-ancestors 'none'"
)
# The operator dashboard: its own script, style and API only; no inline code, no framing.
DASHBOARD_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    b"connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
BASE_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# Inner layers put headers for the response here instead of wrapping ``send`` again.
RESPONSE_HEADERS = "nsl.response_headers"
STORAGE_OBJECTS = "/api/v1/storage/objects/"


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class EdgeMiddleware:
    """Wraps every HTTP request: id, timing, headers, size limit."""

    def __init__(self, app: ASGIApp, settings: Settings, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body = settings.http.max_body_bytes
        self.max_upload = max(settings.storage.max_object_bytes, self.max_body)
        self.https_upstream = settings.http.tls_terminated_upstream
        self._bound: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        given = headers.get("x-request-id", "")
        request_id = given if given and _REQUEST_ID.match(given) else os.urandom(12).hex()
        token = request_id_var.set(request_id)
        began = time.perf_counter()
        status = 500
        started = False
        secure = scope.get("scheme") == "https" or (
            self.https_upstream and headers.get("x-forwarded-proto") == "https"
        )
        extra = self._extra_headers(scope["path"], request_id, secure)
        metrics = self.metrics
        metrics.http_in_flight.inc()

        async def send_wrapper(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                message["headers"] = [
                    *message.get("headers", []),
                    *extra,
                    *scope.get(RESPONSE_HEADERS, ()),
                ]
            await send(message)

        try:
            limit = self._body_limit(scope)
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > limit:
                response = problem(
                    413,
                    "request.too_large",
                    "Payload too large",
                    f"the request body is larger than {limit} bytes",
                )
                await response(scope, receive, send_wrapper)
                return
            await self.app(scope, self._limited(receive, limit), send_wrapper)
        except Exception:
            if started:  # the framework already answered (and logged); let the server see it
                raise
            log.exception("unhandled error")
            fault = problem(500, "internal.error", "Internal error", "an unexpected error occurred")
            await fault(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "<unmatched>"
            metrics.http_in_flight.dec()
            counter, latency = self._series(scope["method"], template, status)
            counter.inc()
            latency.observe(time.perf_counter() - began)
            request_id_var.reset(token)

    def _series(self, method: str, template: str, status: int) -> tuple[Any, Any]:
        """The request counter and latency histogram for these labels, bound once."""
        key = (method, template, status)
        series = self._bound.get(key)
        if series is None:
            series = self._bound[key] = (
                self.metrics.http_requests.labels(method, template, str(status)),
                self.metrics.http_latency.labels(method, template),
            )
        return series

    def _extra_headers(self, path: str, request_id: str, secure: bool) -> list[tuple[bytes, bytes]]:
        if path.startswith(("/docs", "/redoc")):
            csp = DOCS_CSP
        elif path == "/dashboard" or path.startswith("/dashboard/"):
            csp = DASHBOARD_CSP
        else:
            csp = API_CSP
        extra = [
            *BASE_HEADERS,
            (b"content-security-policy", csp),
            (b"x-request-id", request_id.encode()),
        ]
        if secure:
            extra.append(HSTS)
        return extra

    def _body_limit(self, scope: Scope) -> int:
        """Object uploads (streamed by the storage service) get their own, larger limit."""
        if scope["method"] == "PUT" and scope["path"].startswith(STORAGE_OBJECTS):
            return self.max_upload
        return self.max_body

    def _limited(self, receive: Receive, limit: int) -> Receive:
        received = 0

        async def wrapped() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        return wrapped
