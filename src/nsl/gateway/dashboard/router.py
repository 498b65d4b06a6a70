"""Routes: the page and its assets (public, like /docs) and the summary it polls (authenticated)."""

from __future__ import annotations

from importlib.resources import files
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends
from starlette.responses import Response

from nsl.core.errors import NotFound
from nsl.core.security import Principal, Role, require_roles
from nsl.core.settings import DashboardSettings
from nsl.gateway.dashboard.alerts import Alertmanager, LocalAlerts, ordered
from nsl.gateway.dashboard.sampler import Sampler
from nsl.gateway.dashboard.services import services_view
from nsl.gateway.proxy import Proxy
from nsl.runtime import Runtime

ASSETS = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
NO_STORE = {"Cache-Control": "no-store"}
Viewer = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.OPERATOR, Role.AUDITOR))]


def _static(name: str) -> bytes:
    return files("nsl.gateway.dashboard").joinpath("static", name).read_bytes()


def dashboard_router(
    runtime: Runtime, proxy: Proxy, sampler: Sampler, settings: DashboardSettings
) -> APIRouter:
    """``/dashboard``, ``/dashboard/assets/{name}`` and ``/api/v1/dashboard/summary``."""
    router = APIRouter()
    page = _static("index.html")
    assets = {name: (_static(name), media) for name, media in ASSETS.items()}
    local = LocalAlerts(runtime.clock)
    url = settings.alertmanager_url
    manager = Alertmanager(url.get_secret_value(), settings.alertmanager_timeout_s) if url else None

    @router.get("/dashboard", include_in_schema=False)
    async def dashboard_page() -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=NO_STORE)

    @router.get("/dashboard/assets/{name}", include_in_schema=False)
    async def dashboard_asset(name: str) -> Response:
        if name not in assets:
            raise NotFound(f"no dashboard asset named {name!r}", code="dashboard.no_asset")
        body, media = assets[name]
        return Response(body, media_type=media, headers={"Cache-Control": "no-cache"})

    @router.get(
        "/api/v1/dashboard/summary",
        tags=["dashboard"],
        summary="Services, graph series and recent alerts for the operator dashboard",
    )
    async def dashboard_summary(_: Viewer) -> Response:
        health = await runtime.health()
        alerts = local.evaluate(health)
        sources: list[dict[str, Any]] = [{"source": "local", "ok": True, "error": None}]
        if manager is not None:
            remote, error = await manager.fetch()
            alerts.extend(remote)
            sources.append({"source": "alertmanager", "ok": error is None, "error": error})
        body = {
            "generated_at": runtime.clock.now().isoformat(),
            "sample_interval_s": sampler.interval_s,
            "history_s": sampler.history_s,
            "services": await services_view(runtime, proxy),
            "series": sampler.panels(),
            "alerts": ordered(alerts),
            "alert_sources": sources,
        }
        return Response(orjson.dumps(body), media_type="application/json", headers=NO_STORE)

    return router
