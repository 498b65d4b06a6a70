"""``create_app(settings)``: the FastAPI application serving every enabled service."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from nsl import SERVICE_TITLE, __version__
from nsl.adapters.ratelimit_memory import MemoryRateLimiter
from nsl.core.settings import Settings
from nsl.gateway.access import AccessMiddleware
from nsl.gateway.dashboard import mount_dashboard
from nsl.gateway.deploy_api import deploy_router
from nsl.gateway.edge import EdgeMiddleware
from nsl.gateway.infra import infra_router
from nsl.gateway.problems import install_handlers
from nsl.gateway.proxy import Proxy
from nsl.gateway.rollout_gate import RolloutGate
from nsl.gateway.tracing import traced
from nsl.runtime import Runtime

CORS_HEADERS = ["Authorization", "Content-Type", "X-API-Key", "X-Request-ID", "X-TOTP-Code"]
EXPOSED_HEADERS = [
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
]


def create_app(
    settings: Settings,
    *,
    runtime: Runtime | None = None,
    phase: int | None = None,
    only: list[str] | None = None,
) -> GatewayApp:
    """Build the app; services start and stop with its lifespan."""
    rt = runtime or Runtime(settings, phase=phase, only=only or settings.only_services or None)
    proxy = Proxy(settings.gateway, trust_forwarded_for=settings.rate_limit.trust_forwarded_for)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await rt.start()
        if rt.bootstrap_key:
            print_bootstrap_key(rt.bootstrap_key, settings)
        # Objects made while starting live as long as the process: keep them out of the
        # collector's full passes, which otherwise stall requests for 100+ ms on small CPUs.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await rt.stop()
            await proxy.aclose()

    app = FastAPI(
        title=SERVICE_TITLE,
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_handlers(app)
    app.include_router(infra_router(rt))
    app.include_router(deploy_router(rt, proxy))
    if settings.dashboard.enabled:
        app.include_router(mount_dashboard(rt, proxy))
    for service in rt.host.services:
        router = service.routes()
        if router is not None:
            app.include_router(router)

    # Edge, CORS and access wrap the framework from outside, so a fast route skips FastAPI's
    # own middleware stack as well as its router.
    entry: ASGIApp = AccessMiddleware(
        app,
        auth=rt.services["auth"],
        limiter=rt.adapters.rate_limiter,
        fallback=MemoryRateLimiter(rt.clock),
        settings=settings.rate_limit,
        metrics=rt.metrics,
        fast_routes=[route for service in rt.host.services for route in service.fast_routes()],
    )
    if settings.http.cors_origins:  # without origins CORS only adds a layer to every request
        entry = CORSMiddleware(
            entry,
            allow_origins=settings.http.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=CORS_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            allow_credentials=False,
            max_age=1800,
        )
    entry = RolloutGate(entry, rt.rollout, set(rt.services), proxy)
    edge = EdgeMiddleware(entry, settings=settings, metrics=rt.metrics)
    return GatewayApp(app, rt, traced(edge, rt.tracing, settings.tracing.exclude_paths))


class GatewayApp:
    """What the server runs: edge -> (CORS) -> access -> fast route | FastAPI."""

    def __init__(self, framework: FastAPI, runtime: Runtime, entry: ASGIApp) -> None:
        self.framework = framework
        self.runtime = runtime
        self._entry = entry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._entry(scope, receive, send)


def print_bootstrap_key(key: str, settings: Settings) -> None:
    """Show the first admin key once, on the console of the process that created it."""
    path = settings.data_dir / "admin-api-key"
    print(
        f"\nBootstrap admin API key (shown once; also in {path}, mode 0600):\n  {key}\n",
        flush=True,
    )
