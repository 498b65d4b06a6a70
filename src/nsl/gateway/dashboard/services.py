"""The services table: the entries of ``GET /api/v1/deploy/status``, from the same function."""

from __future__ import annotations

from typing import Any

from nsl.core import catalogue
from nsl.gateway.deploy_status import deploy_status
from nsl.gateway.proxy import Proxy
from nsl.runtime import Runtime


async def services_view(runtime: Runtime, proxy: Proxy) -> list[dict[str, Any]]:
    """Every catalogue service: phase, flag, mode, versions, upstream, health, and whether it is
    required (a required service has no flag to switch off)."""
    status = await deploy_status(runtime, proxy)
    return [
        {**entry, "required": catalogue.entry(entry["name"]).required}
        for entry in status["services"]
    ]
