"""What ``/api/v1/deploy/status`` and the dashboard show: each catalogue service's phase, flag,
where it runs (this process or an upstream), its active and standby versions, and its health."""

from __future__ import annotations

import asyncio
from typing import Any

from nsl import __version__
from nsl.core import catalogue
from nsl.gateway.proxy import Proxy
from nsl.runtime import Runtime


async def service_entry(runtime: Runtime, proxy: Proxy, name: str) -> dict[str, Any]:
    item = catalogue.entry(name)
    follower = runtime.rollout
    entry: dict[str, Any] = {
        "name": item.name,
        "phase": item.phase,
        "phase_name": catalogue.PHASE_NAMES[item.phase],
        "enabled": follower.enabled(item.name),
        "mode": "absent",
        "active": None,
        "version": None,
        "upstream": None,
        "standby": None,
        "health": "unknown",
    }
    service = runtime.services.get(item.name)
    route = follower.route(item.name)
    if service is not None:
        health = await service.health()
        entry.update(mode="in-process", version=__version__, health=health.status.value)
    elif route is not None and route.current is not None:
        standby = route.standby
        entry.update(
            mode="proxied",
            active=route.active,
            version=route.current.version,
            upstream=route.current.url,
            health=await proxy.probe(route.current.url),
            standby=({"color": _other(route.active), **standby.to_json()} if standby else None),
        )
    return entry


async def deploy_status(runtime: Runtime, proxy: Proxy) -> dict[str, Any]:
    names = [item.name for item in catalogue.CATALOGUE]
    services = await asyncio.gather(*(service_entry(runtime, proxy, n) for n in names))
    return {"generation": runtime.rollout.snapshot.generation, "services": list(services)}


def _other(color: str) -> str:
    return "green" if color == "blue" else "blue"
