"""Infrastructure routes: health (full, live, ready), info and Prometheus metrics. Public."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from nsl import SERVICE_TITLE, __version__
from nsl.core.health import Status, worst
from nsl.runtime import Runtime

JSON = "application/json"


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=JSON)


def infra_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["infrastructure"])

    async def report() -> tuple[Status, dict[str, Any]]:
        services = await runtime.health()
        overall = worst([h.status for h in services.values()])
        body = {
            "status": overall.value,
            "version": __version__,
            "environment": runtime.settings.env,
            "backends": _backends(runtime),
            "services": {name: h.as_dict() for name, h in services.items()},
        }
        return overall, body

    @router.get("/health", summary="Every check of every service and adapter")
    async def health() -> Response:
        overall, body = await report()
        return _json(body, 503 if overall is Status.DOWN else 200)

    @router.get("/health/live", summary="The process is serving")
    async def live() -> Response:
        return _json({"status": "alive"})

    @router.get("/health/ready", summary="Every enabled service is up (503 otherwise)")
    async def ready() -> Response:
        overall, body = await report()
        down = [n for n, s in body["services"].items() if s["status"] == Status.DOWN.value]
        if overall is Status.DOWN:
            return _json({"status": "not_ready", "down": down}, 503)
        return _json({"status": "ready", "degraded": overall is Status.DEGRADED})

    def info_body() -> dict[str, Any]:
        return {
            "service": SERVICE_TITLE,
            "version": __version__,
            "environment": runtime.settings.env,
            "services": runtime.enabled(),
        }

    @router.get("/api/info", summary="Service name, version, environment and enabled services")
    async def api_info() -> Response:
        return _json(info_body())

    @router.get("/info", include_in_schema=False)
    async def info() -> Response:
        return _json(info_body())

    @router.get("/metrics", summary="Prometheus metrics")
    async def metrics() -> Response:
        return Response(
            runtime.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
        )

    return router


def _backends(runtime: Runtime) -> dict[str, str]:
    a = runtime.adapters
    return {
        "database": a.database.dialect,
        "cache": a.cache.backend,
        "bus": a.bus.backend,
        "rate_limiter": a.rate_limiter.backend,
    }
