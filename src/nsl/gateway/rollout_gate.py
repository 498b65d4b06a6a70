"""Routes each ``/api/v1/<service>/`` request by the rollout state: 503 when the service's flag is
off, to the local service when it runs in this process, else to its active upstream."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from nsl.core import catalogue
from nsl.gateway.problems import problem
from nsl.gateway.proxy import Proxy
from nsl.runtime.rollout.follower import RolloutFollower

PREFIX = "/api/v1/"


@dataclass(frozen=True)
class ProxiedRoute:
    """What the edge's metrics read as the route template of a forwarded request."""

    path: str


def service_of(path: str) -> str | None:
    """The catalogue service a path belongs to, if any."""
    if not path.startswith(PREFIX):
        return None
    name = path[len(PREFIX) :].split("/", 1)[0]
    return name if name in catalogue.NAMES else None


class RolloutGate:
    def __init__(
        self, app: ASGIApp, follower: RolloutFollower, local: set[str], proxy: Proxy
    ) -> None:
        self.app = app
        self.follower = follower
        self.local = local
        self.proxy = proxy
        self._routes = {name: ProxiedRoute(f"{PREFIX}{name}/{{path}}") for name in catalogue.NAMES}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        service = service_of(scope["path"]) if scope["type"] == "http" else None
        if service is None:
            await self.app(scope, receive, send)
            return
        if not self.follower.enabled(service):
            await problem(
                503,
                "service.disabled",
                "Service unavailable",
                f"service {service} is switched off by its feature flag",
            )(scope, receive, send)
            return
        if service in self.local or self.follower.route(service) is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = self._routes[service]
        await self.proxy.forward(service, lambda: self._current(service), scope, receive, send)

    def _current(self, service: str) -> str | None:
        route = self.follower.route(service)
        upstream = route.current if route else None
        return upstream.url if upstream else None
