"""Blue/green: start the other colour, gate it, move traffic once every process follows; keep the
old colour warm for an instant rollback; retire it when done (drained: in-flight requests end)."""

from __future__ import annotations

import asyncio

import httpx

from nsl.ops.deploy import layout
from nsl.ops.deploy.checks import admin_key
from nsl.ops.deploy.deployer import Deployer
from nsl.ops.deploy.processes import ProcessRecord, alive, stop
from nsl.ops.deploy.steps import DeployFailed, Report
from nsl.ops.deploy.waits import wait_ready
from nsl.ops.report import Result
from nsl.ops.smoke import SmokeOptions, run_smoke
from nsl.ops.verify import run_verify
from nsl.runtime.rollout.follower import WaitFailed
from nsl.runtime.rollout.state import Color, Route, Upstream, other


async def switch(
    deployer: Deployer,
    service: str,
    *,
    executable: str | None = None,
    expect_version: str | None = None,
) -> Report:
    report = Report()
    group = layout.group_of(deployer.settings, service)
    route = await _route(deployer, group)
    target = other(route.active)
    leftover = deployer.table.running().get(f"{group.name}:{target}")
    if leftover is not None:
        await _retire_record(deployer, group, target, leftover, report)
    record = deployer.start_group(group, target, executable)
    report.add("start", record.key, f"pid {record.pid} on port {record.port}")
    try:
        info = await wait_ready(
            deployer.http,
            record.url,
            deployer.settings.deploy.ready_timeout_s,
            lambda: alive(record.pid),
        )
        version = str(info.get("version"))
        results = await asyncio.to_thread(_gate, deployer, group, record, expect_version or version)
        if not report.checks(record.key, results):
            raise WaitFailed(f"{record.key} failed its checks")
    except WaitFailed as exc:
        report.add("check", record.key, str(exc), "failed")
        await asyncio.to_thread(stop, record, deployer.settings.deploy.drain_timeout_s)
        deployer.table.drop(record.key)
        report.add("stop", record.key, "stopped; traffic stays on " + route.active)
        raise DeployFailed(f"{record.key} was not switched to", report) from exc
    generation = 0
    for name in group.services:
        generation = await deployer.repository.set_upstream(
            name, target, Upstream(record.url, version), activate=True
        )
    followers = await deployer.wait_followed(generation)
    report.add(
        "switch",
        group.name,
        f"traffic on {target} (version {version}), followed by {followers} process(es); "
        f"{route.active} kept as standby",
    )
    return report


async def rollback(deployer: Deployer, service: str) -> Report:
    """Traffic back to the standby colour, then drain and stop the colour it left."""
    report = Report()
    group = layout.group_of(deployer.settings, service)
    route = await _route(deployer, group)
    standby_color = other(route.active)
    standby = route.standby
    record = deployer.table.running().get(f"{group.name}:{standby_color}")
    if standby is None or record is None:
        report.add("rollback", group.name, "no running standby to roll back to", "failed")
        raise DeployFailed("nothing to roll back to", report)
    try:
        await wait_ready(deployer.http, standby.url, 10.0, lambda: alive(record.pid))
    except WaitFailed as exc:
        report.add("rollback", group.name, str(exc), "failed")
        raise DeployFailed("the standby is not ready", report) from exc
    generation = 0
    for name in group.services:
        generation = await deployer.repository.activate(name, standby_color)
    followers = await deployer.wait_followed(generation)
    report.add("switch", group.name, f"traffic back on {standby_color}, followed by {followers}")
    left = deployer.table.running().get(f"{group.name}:{route.active}")
    if left is not None:
        await _retire_record(deployer, group, route.active, left, report)
    return report


async def retire(deployer: Deployer, service: str) -> Report:
    """Drain and stop the standby colour (after a switch is judged good)."""
    report = Report()
    group = layout.group_of(deployer.settings, service)
    route = await _route(deployer, group)
    standby_color = other(route.active)
    record = deployer.table.running().get(f"{group.name}:{standby_color}")
    if record is None and route.standby is None:
        report.add("retire", group.name, "no standby is running", "skipped")
        return report
    if record is not None:
        await _retire_record(deployer, group, standby_color, record, report)
    else:
        for name in group.services:
            await deployer.repository.set_upstream(name, standby_color, None, activate=False)
        report.add("route", group.name, f"forgot the {standby_color} upstream (not running)")
    return report


async def _retire_record(
    deployer: Deployer, group: layout.Group, color: Color, record: ProcessRecord, report: Report
) -> None:
    generation = 0
    for name in group.services:
        generation = await deployer.repository.set_upstream(name, color, None, activate=False)
    if generation:
        await deployer.wait_followed(generation)
    drained = await asyncio.to_thread(stop, record, deployer.settings.deploy.drain_timeout_s)
    deployer.table.drop(record.key)
    report.add("stop", record.key, "drained" if drained else "killed after the drain timeout")


async def _route(deployer: Deployer, group: layout.Group) -> Route:
    snapshot = await deployer.repository.snapshot()
    route = snapshot.routes.get(group.services[0])
    if route is None or route.current is None:
        report = Report()
        report.add("switch", group.name, "not deployed: run nsl deploy apply first", "failed")
        raise DeployFailed(f"{group.name} is not deployed", report)
    return route


def _gate(
    deployer: Deployer, group: layout.Group, record: ProcessRecord, version: str
) -> list[Result]:
    """``nsl verify`` for each service of the group, then the smoke checks, on the new colour."""
    key = admin_key(deployer.settings)
    settings = deployer.settings
    origin = settings.http.cors_origins[0] if settings.http.cors_origins else None
    with httpx.Client(base_url=record.url, timeout=10, trust_env=False) as client:
        results: list[Result] = []
        for name in group.services:
            results.extend(run_verify(client, name, version))
        results.extend(run_smoke(client, SmokeOptions(api_key=key, origin=origin, burst=0)))
    return results
