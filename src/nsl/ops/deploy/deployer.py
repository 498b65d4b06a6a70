"""``nsl deploy plan|apply|stop``: bring phases up as separate processes behind the gateway.

Apply is idempotent: a group whose active process is alive and routed is kept as it is. A phase
whose checks fail is rolled back (its new processes unrouted and stopped); earlier phases stay.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import httpx

from nsl.core.clock import SystemClock
from nsl.core.settings import Settings
from nsl.db.engine import Database, database_url
from nsl.ops.deploy import layout
from nsl.ops.deploy.checks import phase_checks
from nsl.ops.deploy.prerequisites import check_prerequisites
from nsl.ops.deploy.processes import ProcessRecord, ProcessTable, alive, spawn, stop
from nsl.ops.deploy.steps import DeployFailed, Report
from nsl.ops.deploy.waits import wait_ready
from nsl.ops.report import Outcome
from nsl.runtime.rollout.follower import WaitFailed, wait_followed
from nsl.runtime.rollout.repository import RolloutRepository
from nsl.runtime.rollout.state import COLORS, Color, Snapshot, Upstream


class Deployer:
    def __init__(self, settings: Settings, executable: str | None = None) -> None:
        self.settings = settings
        self.executable = executable
        self.table = ProcessTable(settings.data_dir)
        self.clock = SystemClock()
        self.database = Database(
            database_url(settings.database, settings.data_dir), settings.database
        )
        self.repository = RolloutRepository(self.database, self.clock)
        self.http = httpx.AsyncClient(trust_env=False)

    async def close(self) -> None:
        await self.http.aclose()
        await self.database.engine.dispose()

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.http.port}"

    # plan ---------------------------------------------------------------------------
    async def plan(self, phase: int) -> Report:
        report = Report()
        if not report.checks("prerequisites", await check_prerequisites(self.settings)):
            return report  # the rollout state cannot be read until they hold
        running = self.table.running()
        snapshot = await self.repository.snapshot()
        gateway = running.get(layout.GATEWAY)
        if gateway is None:
            report.add(
                "start",
                layout.GATEWAY,
                f"nsl serve --gateway on port {self.settings.http.port}",
                "planned",
            )
        else:
            report.add(
                "keep", layout.GATEWAY, f"pid {gateway.pid} on port {gateway.port}", "planned"
            )
        for group in layout.groups_up_to(self.settings, phase):
            record = self.active_record(group, running, snapshot)
            if record is None:
                report.add(
                    "start", f"{group.name}:blue", _describe(group, group.blue_port), "planned"
                )
                for service in group.services:
                    report.add("route", service, f"to {group.name}:blue", "planned")
                continue
            report.add("keep", record.key, f"pid {record.pid} on port {record.port}", "planned")
            for service in group.services:
                route = snapshot.routes.get(service)
                if route is None or route.current is None or route.current.url != record.url:
                    report.add("route", service, f"to {record.key}", "planned")
        return report

    # apply --------------------------------------------------------------------------
    async def apply(self, phase: int) -> Report:
        report = Report()
        prerequisites = await check_prerequisites(self.settings)
        if not report.checks("prerequisites", prerequisites):
            raise DeployFailed("prerequisites are not met", report)
        await self._ensure_gateway(report)
        for current in range(1, phase + 1):
            await self._apply_phase(current, report)
        return report

    async def _ensure_gateway(self, report: Report) -> None:
        running = self.table.running().get(layout.GATEWAY)
        if running is not None:
            report.add("keep", layout.GATEWAY, f"pid {running.pid}")
            return
        record = spawn(
            layout.GATEWAY,
            self._args(["serve", "--gateway"]),
            (),
            self.settings.http.port,
            self.child_env(gateway=True),
            self.table,
            self.executable,
        )
        try:
            info = await wait_ready(
                self.http, self.gateway_url, self.settings.deploy.ready_timeout_s, _alive(record)
            )
        except WaitFailed as exc:
            await asyncio.to_thread(stop, record, self.settings.deploy.drain_timeout_s)
            self.table.drop(record.key)
            report.add("start", layout.GATEWAY, str(exc), "failed")
            raise DeployFailed("the gateway did not start", report) from exc
        report.add("start", layout.GATEWAY, f"pid {record.pid}, version {info.get('version')}")

    async def _apply_phase(self, phase: int, report: Report) -> None:
        running = self.table.running()
        snapshot = await self.repository.snapshot()
        started: list[tuple[layout.Group, ProcessRecord]] = []
        target = f"phase {phase}"
        try:
            routed: list[tuple[layout.Group, ProcessRecord, Color]] = []
            for group in (g for g in layout.groups(self.settings) if g.phase == phase):
                record = self.active_record(group, running, snapshot)
                if record is None:
                    record = self.start_group(group, "blue")
                    started.append((group, record))
                    report.add("start", record.key, _describe(group, record.port))
                else:
                    report.add("keep", record.key, f"pid {record.pid}")
                routed.append((group, record, _color(record.key)))
            generation = 0
            for group, record, color in routed:
                info = await wait_ready(
                    self.http, record.url, self.settings.deploy.ready_timeout_s, _alive(record)
                )
                upstream = Upstream(record.url, str(info.get("version")))
                for service in group.services:
                    route = snapshot.routes.get(service)
                    if route is not None and route.current == upstream and route.active == color:
                        continue
                    generation = await self.repository.set_upstream(
                        service, color, upstream, activate=True
                    )
                    report.add("route", service, f"to {record.key} ({record.url})")
            if generation:
                await self.wait_followed(generation)
            results = await phase_checks(self, phase)
            if not report.checks(target, results):
                failing = [r.name for r in results if r.outcome is Outcome.FAILED]
                raise WaitFailed(f"{target} checks failed: {', '.join(failing)}")
        except WaitFailed as exc:
            report.add("check", target, str(exc), "failed")
            await self._undo(started, report)
            raise DeployFailed(f"{target} failed and was rolled back", report) from exc
        except Exception:
            await self._undo(started, report)  # an unexpected error leaves nothing half-started
            raise

    async def _undo(
        self, started: list[tuple[layout.Group, ProcessRecord]], report: Report
    ) -> None:
        for group, record in started:
            color = _color(record.key)
            generation = 0
            for service in group.services:
                generation = await self.repository.set_upstream(
                    service, color, None, activate=False
                )
            if generation:
                await self.wait_followed(generation)
            await asyncio.to_thread(stop, record, self.settings.deploy.drain_timeout_s)
            self.table.drop(record.key)
            report.add("rollback", record.key, "unrouted and stopped")

    # stop ---------------------------------------------------------------------------
    async def stop_all(self) -> Report:
        """Unroute and stop every process this machine started for the deploy, gateway last."""
        report = Report()
        records = self.table.running()
        snapshot = await self.repository.snapshot()
        for service, route in snapshot.routes.items():
            for color in COLORS:
                if route.upstream(color) is not None:
                    await self.repository.set_upstream(service, color, None, activate=False)
            report.add("route", service, "removed")
        services = [key for key in records if key != layout.GATEWAY]
        gateway = [key for key in records if key == layout.GATEWAY]
        for keys in (services, gateway):  # the services drain together, then the gateway
            drained = await asyncio.gather(
                *(
                    asyncio.to_thread(stop, records[key], self.settings.deploy.drain_timeout_s)
                    for key in keys
                )
            )
            for key, ended in zip(keys, drained, strict=True):
                self.table.drop(key)
                report.add("stop", key, "drained" if ended else "killed after the drain timeout")
        return report

    # shared -------------------------------------------------------------------------
    def active_record(
        self, group: layout.Group, running: dict[str, ProcessRecord], snapshot: Snapshot
    ) -> ProcessRecord | None:
        """The group's live process that traffic goes to (or would, once routed)."""
        route = snapshot.routes.get(group.services[0])
        color: Color = route.active if route is not None else "blue"
        return running.get(f"{group.name}:{color}")

    def start_group(
        self, group: layout.Group, color: Color, executable: str | None = None
    ) -> ProcessRecord:
        return spawn(
            f"{group.name}:{color}",
            self._args(["serve", "--only", ",".join(group.runs), "--host", "127.0.0.1"]),
            group.services,
            group.port(color),
            self.child_env(gateway=False),
            self.table,
            executable or self.executable,
        )

    async def wait_followed(self, generation: int) -> int:
        gateway = self.settings.gateway
        return await wait_followed(
            self.repository,
            self.clock,
            generation,
            gateway.ack_window_s,
            self.settings.deploy.ready_timeout_s,
        )

    def child_env(self, *, gateway: bool) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            NSL_DATA_DIR=str(self.settings.data_dir),
            NSL_CHAINS__DEV__START="false",
            NSL_DATABASE__MIGRATE_ON_START="false",
        )
        if not gateway:  # behind the gateway: count limits by the caller it forwards
            env["NSL_RATE_LIMIT__TRUST_FORWARDED_FOR"] = "true"
            env["NSL_DASHBOARD__ENABLED"] = "false"  # the gateway serves the dashboard
        for name in ("NSL_ONLY_SERVICES", "NSL_PHASE", "NSL_HTTP__PORT"):
            env.pop(name, None)
        return env

    def _args(self, args: list[str]) -> list[str]:
        return [*args, "--data-dir", str(Path(self.settings.data_dir))]


def _describe(group: layout.Group, port: int) -> str:
    return f"nsl serve --only {','.join(group.runs)} on port {port}"


def _color(key: str) -> Color:
    return "green" if key.endswith(":green") else "blue"


def _alive(record: ProcessRecord) -> Callable[[], bool]:
    return lambda: alive(record.pid)
