"""The operator dashboard: a static page at ``/dashboard``, its summary API and metric sampler."""

from __future__ import annotations

from fastapi import APIRouter

from nsl.gateway.dashboard.router import dashboard_router
from nsl.gateway.dashboard.sampler import Sampler
from nsl.gateway.proxy import Proxy
from nsl.runtime import Runtime

SAMPLER_TASK = "dashboard-sampler"


def mount_dashboard(runtime: Runtime, proxy: Proxy) -> APIRouter:
    """The dashboard's routes; its sampler runs as a periodic task of the platform service."""
    settings = runtime.settings.dashboard
    sampler = Sampler(
        runtime.metrics.registry, runtime.clock, settings.sample_interval_s, settings.history_s
    )
    runtime.platform.every(settings.sample_interval_s, SAMPLER_TASK, sampler.sample)
    return dashboard_router(runtime, proxy, sampler, settings)


__all__ = ["SAMPLER_TASK", "Sampler", "mount_dashboard"]
