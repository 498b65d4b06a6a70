"""Host lifecycle: dependency order, reverse stop, cycles, periodic-task heartbeats in health."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from nsl.core.clock import ManualClock
from nsl.core.errors import SettingsError
from nsl.core.health import Status
from nsl.core.host import Host
from nsl.core.metrics import Metrics
from nsl.core.service import ServiceBase
from nsl.core.settings import Settings


class Ctx:
    """The part of ServiceContext that ServiceBase touches."""

    def __init__(self) -> None:
        self.settings = Settings()
        self.clock = ManualClock()
        self.metrics = Metrics("t", "test")


def make(name: str, deps: tuple[str, ...], journal: list[str]) -> ServiceBase:
    class Recorded(ServiceBase):
        phase: ClassVar[int] = 1

        async def on_start(self) -> None:
            journal.append(f"start {self.name}")

        async def on_stop(self) -> None:
            journal.append(f"stop {self.name}")

    Recorded.name = name
    Recorded.depends_on = deps
    ctx: Any = Ctx()
    return Recorded(ctx)


async def test_starts_in_dependency_order_and_stops_in_reverse() -> None:
    journal: list[str] = []
    services = [make("c", ("b",), journal), make("a", (), journal), make("b", ("a",), journal)]
    host = Host(services)  # type: ignore[arg-type]
    await host.start()
    await host.stop()
    assert journal == ["start a", "start b", "start c", "stop c", "stop b", "stop a"]


def test_cycle_is_refused() -> None:
    journal: list[str] = []
    with pytest.raises(SettingsError, match="cycle"):
        Host([make("a", ("b",), journal), make("b", ("a",), journal)])  # type: ignore[list-item]


def test_missing_dependency_is_refused() -> None:
    with pytest.raises(SettingsError, match="not enabled"):
        Host([make("a", ("ghost",), [])])  # type: ignore[list-item]


async def test_periodic_task_heartbeat_feeds_health() -> None:
    service = make("ticker", (), [])
    runs: list[int] = []
    failing = {"on": False}

    async def tick() -> None:
        if failing["on"]:
            raise RuntimeError("upstream gone")
        runs.append(1)

    service.every(10, "tick", tick)
    service.running = True  # health without starting the background loop
    await service.run_task_once("tick")
    assert (await service.health()).status is Status.OK
    clock = service.ctx.clock
    assert isinstance(clock, ManualClock)
    clock.advance(60)
    failing["on"] = True
    await service.run_task_once("tick")
    health = await service.health()
    assert health.status is Status.DEGRADED
    assert "upstream gone" in health.checks[0].detail
    failing["on"] = False
    await service.run_task_once("tick")
    assert (await service.health()).status is Status.OK
    assert len(runs) == 2


async def test_stopped_service_is_down() -> None:
    service = make("idle", (), [])
    assert (await service.health()).status is Status.DOWN


async def test_operation_counts_outcomes() -> None:
    from nsl.core.errors import NotFound

    service = make("ops", (), [])
    async with service.operation("get"):
        pass
    with pytest.raises(NotFound):
        async with service.operation("get"):
            raise NotFound("nope", code="ops.missing")
    text = service.ctx.metrics.render().decode()
    assert 'nsl_service_operations_total{operation="get",outcome="ok",service="ops"} 1.0' in text
    assert 'nsl_service_errors_total{code="ops.missing",operation="get",service="ops"} 1.0' in text
