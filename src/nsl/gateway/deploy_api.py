"""``/api/v1/deploy``: rollout status, feature flags and rollback to the standby colour."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from nsl.core import catalogue
from nsl.core.audit import AuditEntry
from nsl.core.errors import Conflict, NotFound, NslError, ValidationFailed
from nsl.core.security import Principal, Role, require_roles
from nsl.gateway.deploy_status import deploy_status, service_entry
from nsl.gateway.proxy import Proxy
from nsl.runtime import Runtime
from nsl.runtime.rollout.follower import WaitFailed, wait_followed
from nsl.runtime.rollout.state import other

_READERS = require_roles(Role.ADMIN, Role.OPERATOR, Role.AUDITOR)
_ADMIN = require_roles(Role.ADMIN)


FOLLOW_TIMEOUT_S = 15.0


class NotFollowed(NslError):
    status = 504
    code = "deploy.not_followed"
    title = "Change not followed yet"


class FlagChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool


def deploy_router(runtime: Runtime, proxy: Proxy) -> APIRouter:
    router = APIRouter(prefix="/api/v1/deploy", tags=["deploy"])
    follower = runtime.rollout

    @router.get("/status", summary="Each service's phase, flag, versions, upstream and health")
    async def status(_: Principal = Depends(_READERS)) -> dict[str, Any]:
        return await deploy_status(runtime, proxy)

    @router.put("/flags/{service}", summary="Switch a service on or off without a restart")
    async def set_flag(
        service: str, change: FlagChange, who: Principal = Depends(_ADMIN)
    ) -> dict[str, Any]:
        item = _known(service)
        if item.required:
            raise ValidationFailed.on(
                "service", "not_required", f"{service} is required and cannot be switched off"
            )
        generation = await follower.repository.set_flag(item.name, change.enabled, who.id)
        await _followed(runtime, generation)
        await _audit(runtime, who, "flag", item.name, {"enabled": change.enabled})
        return await service_entry(runtime, proxy, item.name)

    @router.post("/{service}/rollback", summary="Send traffic back to the standby colour")
    async def rollback(service: str, who: Principal = Depends(_ADMIN)) -> dict[str, Any]:
        item = _known(service)
        await follower.poll()  # act on the stored routes, not on this process's last reload
        route = follower.route(item.name)
        if route is None or route.standby is None:
            raise Conflict(
                f"{item.name} has no standby version to roll back to", code="deploy.no_standby"
            )
        if await proxy.probe(route.standby.url) == "down":
            raise Conflict(
                f"the standby of {item.name} at {route.standby.url} is not ready",
                code="deploy.standby_not_ready",
            )
        target = other(route.active)
        await _followed(runtime, await follower.repository.activate(item.name, target))
        await _audit(runtime, who, "rollback", item.name, {"to": target})
        return await service_entry(runtime, proxy, item.name)

    return router


async def _followed(runtime: Runtime, generation: int) -> None:
    """Return once every live process serves ``generation`` (this one at once)."""
    await runtime.rollout.poll()
    try:
        await wait_followed(
            runtime.rollout.repository,
            runtime.clock,
            generation,
            runtime.settings.gateway.ack_window_s,
            FOLLOW_TIMEOUT_S,
        )
    except WaitFailed as exc:
        raise NotFollowed(f"the change is recorded; {exc}") from exc


def _known(service: str) -> catalogue.Entry:
    if service not in catalogue.NAMES:
        raise NotFound(f"no service {service!r} in the catalogue", code="deploy.unknown_service")
    return catalogue.entry(service)


async def _audit(
    runtime: Runtime, who: Principal, action: str, service: str, details: dict[str, Any]
) -> None:
    await runtime.ctx.audit.record(
        AuditEntry(actor=who.id, service="deploy", action=action, target=service, details=details)
    )
