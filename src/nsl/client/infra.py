"""Infrastructure endpoints: health, readiness, liveness, service info, Prometheus metrics."""

from __future__ import annotations

from nsl.client import results
from nsl.client.base import Call, endpoint
from nsl.client.results import JsonObject

_UNAVAILABLE = frozenset({503})


class InfraEndpoints:
    @endpoint
    def health(self) -> Call[JsonObject]:
        """Every check's report plus ``http_status``; a 503 (something down) does not raise."""
        return Call("GET", "/health", results.health_report, accept=_UNAVAILABLE)

    @endpoint
    def ready(self) -> Call[bool]:
        """Whether every enabled service is up (``/health/ready`` 200 vs 503)."""
        return Call("GET", "/health/ready", results.is_ok, accept=_UNAVAILABLE)

    @endpoint
    def live(self) -> Call[bool]:
        """Whether the process answers (``/health/live``)."""
        return Call("GET", "/health/live", results.is_ok, accept=_UNAVAILABLE)

    @endpoint
    def info(self) -> Call[JsonObject]:
        """``{"service": ..., "version": ...}``."""
        return Call("GET", "/api/info", results.json_object)

    @endpoint
    def metrics_text(self) -> Call[str]:
        """The Prometheus exposition text."""
        return Call("GET", "/metrics", results.text, headers={"Accept": "text/plain"})

    @endpoint
    def chains(self) -> Call[JsonObject]:
        """``{"items": [...]}``: each chain's network, height and endpoint health."""
        return Call("GET", "/api/v1/chains", results.json_object)
