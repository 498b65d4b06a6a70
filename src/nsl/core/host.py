"""The host: starts services in dependency order, stops them in reverse, reports their health."""

from __future__ import annotations

import logging

from nsl.core.errors import SettingsError
from nsl.core.health import Check, Health, Status
from nsl.core.service import Service

log = logging.getLogger(__name__)


def dependency_order(services: list[Service]) -> list[Service]:
    """Services sorted so that each comes after everything it depends on."""
    by_name = {s.name: s for s in services}
    ordered: list[Service] = []
    state: dict[str, str] = {}

    def visit(service: Service, chain: tuple[str, ...]) -> None:
        mark = state.get(service.name)
        if mark == "done":
            return
        if mark == "visiting":
            raise SettingsError("service dependency cycle: " + " -> ".join((*chain, service.name)))
        state[service.name] = "visiting"
        for dep in service.depends_on:
            if dep not in by_name:
                raise SettingsError(f"service {service.name!r} needs {dep!r}, which is not enabled")
            visit(by_name[dep], (*chain, service.name))
        state[service.name] = "done"
        ordered.append(service)

    for service in services:
        visit(service, ())
    return ordered


class Host:
    """Owns the lifecycle of a set of services."""

    def __init__(self, services: list[Service]) -> None:
        self.services = dependency_order(services)
        self._started: list[Service] = []

    async def start(self) -> None:
        for service in self.services:
            log.info("starting service %s", service.name)
            await service.start()
            self._started.append(service)

    async def stop(self) -> None:
        while self._started:
            service = self._started.pop()
            log.info("stopping service %s", service.name)
            try:
                await service.stop()
            except Exception:  # keep stopping the others; the failure is logged with its trace
                log.exception("service %s failed to stop cleanly", service.name)

    async def health(self) -> dict[str, Health]:
        report: dict[str, Health] = {}
        for service in self.services:
            try:
                report[service.name] = await service.health()
            except Exception as exc:  # a health probe that crashes means the service is down
                log.exception("health check of %s crashed", service.name)
                report[service.name] = Health(
                    [Check(service.name, Status.DOWN, type(exc).__name__)]
                )
        return report
