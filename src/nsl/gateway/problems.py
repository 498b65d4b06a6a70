"""RFC 9457 problem+json responses and the exception handlers that produce them."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from nsl.core.errors import NslError
from nsl.core.logs import request_id_var

log = logging.getLogger(__name__)

PROBLEM_TYPE = "https://neo-service-layer.dev/problems/"
STATUS_CODES = {
    400: "request.malformed",
    401: "auth.unauthenticated",
    403: "auth.forbidden",
    404: "route.not_found",
    405: "route.method_not_allowed",
    413: "request.too_large",
    415: "request.unsupported_media_type",
    422: "request.invalid",
    429: "rate_limit.exceeded",
}


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    fields: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": request_id_var.get(),
    }
    if fields:
        body["errors"] = fields
    if extra:
        body.update(extra)
    return Response(
        orjson.dumps(body),
        status_code=status,
        headers=headers,
        media_type="application/problem+json",
    )


def from_error(exc: NslError) -> Response:
    return problem(
        exc.status,
        exc.code,
        exc.title,
        exc.detail,
        fields=[f.as_dict() for f in exc.fields],
        headers=exc.headers,
        extra=exc.extra,
    )


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] or parts
    return ".".join(parts) or "body"


def _validation(exc: RequestValidationError) -> Response:
    fields = []
    malformed = False
    for err in exc.errors():
        rule = str(err.get("type", "invalid"))
        if rule == "json_invalid":
            malformed = True
        fields.append(
            {
                "field": _field_path(tuple(err.get("loc", ()))),
                "rule": rule,
                "message": str(err.get("msg", "")),
            }
        )
    if malformed:
        return problem(
            400,
            "request.malformed_json",
            "Malformed JSON",
            "the body is not valid JSON",
            fields=fields,
        )
    detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
    return problem(422, "request.invalid", "Invalid request", detail, fields=fields)


def install_handlers(app: FastAPI) -> None:
    """Map every error to problem+json; unknown exceptions become a bare 500."""

    async def on_nsl(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, NslError)
        if exc.status >= 500:
            log.error("request failed: %s (%s)", exc.code, exc.detail)
        return from_error(exc)

    async def on_validation(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return _validation(exc)

    async def on_http(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = STATUS_CODES.get(exc.status_code, f"http.{exc.status_code}")
        return problem(
            exc.status_code,
            code,
            code.split(".")[-1].replace("_", " ").capitalize(),
            str(exc.detail),
            headers=dict(exc.headers or {}),
        )

    async def on_unexpected(_: Request, exc: Exception) -> Response:
        log.error("unhandled %s", type(exc).__name__, exc_info=exc)
        return problem(500, "internal.error", "Internal error", "an unexpected error occurred")

    app.add_exception_handler(NslError, on_nsl)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
