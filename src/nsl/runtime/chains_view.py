"""``GET /api/v1/chains``: each configured chain with its network, height and endpoint health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from nsl.chains.registry import ChainRegistry
from nsl.core.chain import ChainUnavailable
from nsl.core.security import Principal, require_roles

_CALLER = require_roles()


def chains_router(registry: ChainRegistry) -> APIRouter:
    router = APIRouter(prefix="/api/v1/chains", tags=["chains"])

    @router.get("", summary="Configured chains: network, height, endpoint health")
    async def chains(_: Principal = Depends(_CALLER)) -> dict[str, Any]:
        return {"items": await describe_all(registry)}

    return router


async def describe_all(registry: ChainRegistry) -> list[dict[str, Any]]:
    items = [await _describe(chain) for chain in registry.all()]
    for name, reason in registry.missing().items():
        items.append({"chain": name, "status": "unconfigured", "detail": reason})
    return items


async def _describe(chain: Any) -> dict[str, Any]:
    try:
        status = await chain.status()
    except ChainUnavailable as exc:
        return {
            "chain": chain.name,
            "network": chain.network,
            "status": "down",
            "detail": exc.detail,
            "endpoints": [e.to_json() for e in chain.endpoint_statuses()],
        }
    return {
        "chain": status.chain,
        "network": status.network,
        "network_id": status.network_id,
        "height": status.height,
        "status": chain.check().status.value,
        "endpoints": [e.to_json() for e in status.endpoints],
    }
