"""The service contract and :class:`ServiceBase`, which owns lifecycle, periodic tasks and metrics.

A service writes only its hooks (``on_start``/``on_stop``/``checks``), its use cases and
``routes()``; the base class starts and stops periodic tasks, turns their heartbeats into
health checks, and counts operations.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from types import TracebackType
from typing import ClassVar, Protocol, runtime_checkable

from fastapi import APIRouter
from starlette.types import ASGIApp, Scope

from nsl.core.context import ServiceContext
from nsl.core.errors import NslError
from nsl.core.health import Check, Health, Status
from nsl.core.metrics import Metrics
from nsl.core.tracing import Tracer, active_tracer

log = logging.getLogger(__name__)


@runtime_checkable
class Service(Protocol):
    name: ClassVar[str]
    phase: ClassVar[int]
    depends_on: ClassVar[tuple[str, ...]]

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def health(self) -> Health: ...

    def routes(self) -> APIRouter | None: ...

    def fast_routes(self) -> list[FastRoute]: ...


@dataclass(frozen=True)
class FastRoute:
    """A hot read served ahead of the framework router, after authentication and rate limits.

    ``path`` is the route template used in metrics; ``matches`` says whether a request is
    one this route serves; ``app`` is a plain ASGI app that may raise ``NslError``.
    """

    path: str
    matches: Callable[[Scope], bool]
    app: ASGIApp


@dataclass
class PeriodicTask:
    """A coroutine run every ``interval_s``; its last success is its heartbeat."""

    name: str
    interval_s: float
    run: Callable[[], Awaitable[object]]
    last_success: float | None = None
    last_error: str = ""
    handle: asyncio.Task[None] | None = None


class Operation:
    """Counts calls of one use case; reusable and re-entrant (it keeps no per-call state)."""

    __slots__ = ("_errors", "_labels", "_metrics", "_ok")

    def __init__(self, metrics: Metrics, service: str, name: str) -> None:
        self._metrics = metrics
        self._labels = (service, name)
        self._ok = metrics.service_operations.labels(service, name, "ok")
        self._errors = metrics.service_operations.labels(service, name, "error")

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        if exc is None:
            self._ok.inc()
        elif isinstance(exc, Exception):  # cancellation is not a failure of the use case
            self._errors.inc()
            code = exc.code if isinstance(exc, NslError) else "internal.error"
            self._metrics.service_errors.labels(*self._labels, code).inc()


class TracedOperation(Operation):
    """One call of an operation inside a traced request: a ``service.operation`` span too."""

    __slots__ = ("_span",)

    def __init__(self, op: Operation, tracer: Tracer) -> None:
        self._metrics, self._labels = op._metrics, op._labels
        self._ok, self._errors = op._ok, op._errors
        service, name = op._labels
        self._span: AbstractContextManager[object] = tracer.span(
            f"{service}.{name}", {"nsl.service": service, "nsl.operation": name}
        )

    async def __aenter__(self) -> None:
        self._span.__enter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        try:
            await super().__aexit__(exc_type, exc, tb)
        finally:
            self._span.__exit__(exc_type, exc, tb if isinstance(tb, TracebackType) else None)


class ServiceBase:
    """Lifecycle, periodic tasks with heartbeats, health and operation metrics, written once."""

    name: ClassVar[str]
    phase: ClassVar[int]
    depends_on: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.running = False
        self.paused = False  # switched off by its feature flag: routes answer 503, tasks idle
        self._tasks: list[PeriodicTask] = []
        self._operations: dict[str, Operation] = {}

    # hooks ---------------------------------------------------------------------------
    async def on_start(self) -> None:
        """Open what the service needs (no-op by default)."""

    async def on_stop(self) -> None:
        """Release what ``on_start`` opened (no-op by default)."""

    async def checks(self) -> list[Check]:
        """Service-specific health checks (none by default)."""
        return []

    def routes(self) -> APIRouter | None:
        return None

    def fast_routes(self) -> list[FastRoute]:
        """Hot reads to serve without the router (none by default)."""
        return []

    # lifecycle -------------------------------------------------------------------------
    def every(self, interval_s: float, name: str, run: Callable[[], Awaitable[object]]) -> None:
        """Register a periodic task; it starts with the service and stops with it."""
        self._tasks.append(PeriodicTask(name=name, interval_s=interval_s, run=run))

    async def start(self) -> None:
        if self.running:
            return
        await self.on_start()
        for task in self._tasks:
            task.handle = asyncio.create_task(self._loop(task), name=f"{self.name}.{task.name}")
        self.running = True
        self.ctx.metrics.service_up.labels(self.name).set(1)

    async def stop(self) -> None:
        if not self.running:
            return
        self.running = False
        for task in self._tasks:
            if task.handle is not None:
                task.handle.cancel()
        await asyncio.gather(*(t.handle for t in self._tasks if t.handle), return_exceptions=True)
        await self.on_stop()
        self.ctx.metrics.service_up.labels(self.name).set(0)

    async def health(self) -> Health:
        if not self.running:
            return Health([Check(self.name, Status.DOWN, "not running")])
        if self.paused:
            return Health([Check(self.name, Status.OK, "switched off by its feature flag")])
        checks = [self._task_check(t) for t in self._tasks]
        try:
            checks.extend(await self.checks())
        except NslError as exc:
            checks.append(Check(self.name, Status.DOWN, exc.detail))
        return Health(checks or [Check(self.name, Status.OK)])

    async def run_task_once(self, name: str) -> None:
        """Run one periodic task now (operators and tests), recording its heartbeat."""
        task = next(t for t in self._tasks if t.name == name)
        await self._run(task)

    # operations ------------------------------------------------------------------------
    def operation(self, name: str) -> Operation:
        """Count one use-case call as ok or error (with its error code): ``async with``."""
        op = self._operations.get(name)
        if op is None:
            op = self._operations[name] = Operation(self.ctx.metrics, self.name, name)
        tracer = active_tracer()
        return op if tracer is None else TracedOperation(op, tracer)

    # internals -------------------------------------------------------------------------
    async def _loop(self, task: PeriodicTask) -> None:
        current = asyncio.current_task()
        while True:
            await self._run(task)
            # A driver may swallow a cancellation that lands mid-connect (seen with aiosqlite
            # under SQLAlchemy); honour it here rather than sleeping a whole interval.
            if current is not None and current.cancelling():
                raise asyncio.CancelledError
            await asyncio.sleep(task.interval_s)

    async def _run(self, task: PeriodicTask) -> None:
        try:
            if not self.paused:
                await task.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - recorded in health; the loop keeps its schedule
            task.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("periodic task %s.%s failed: %s", self.name, task.name, task.last_error)
            return
        task.last_success = self.ctx.clock.monotonic()
        task.last_error = ""
        self.ctx.metrics.task_heartbeat.labels(self.name, task.name).set(time.time())

    def _task_check(self, task: PeriodicTask) -> Check:
        name = f"{self.name}.task.{task.name}"
        if task.last_success is None:
            if task.last_error:
                return Check(name, Status.DEGRADED, f"never succeeded: {task.last_error}")
            return Check(name, Status.OK, "starting")
        age = self.ctx.clock.monotonic() - task.last_success
        if age > 3 * task.interval_s + 1:
            detail = f"no heartbeat for {age:.0f}s"
            if task.last_error:
                detail += f": {task.last_error}"
            return Check(name, Status.DEGRADED, detail)
        return Check(name, Status.OK)
