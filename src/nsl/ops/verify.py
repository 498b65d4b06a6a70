"""The seed's per-service readiness verification: enabled, healthy, expected version, metrics.

``SERVICE`` is a catalogue name, or ``gateway`` for the process as a whole (its overall health).
"""

from __future__ import annotations

from typing import Any

import httpx

from nsl.core import catalogue
from nsl.ops.report import Outcome, Result, failed, guarded, json_object, metrics_check, passed

GATEWAY = "gateway"


def known_services() -> list[str]:
    return [GATEWAY, *(e.name for e in catalogue.CATALOGUE)]


def check_enabled(info: dict[str, Any], service: str) -> Result:
    if service == GATEWAY:
        return passed("enabled", "the gateway answers /api/info")
    services = info.get("services")
    if not isinstance(services, list):
        return failed("enabled", "/api/info lists no services")
    names = [s.get("name") for s in services if isinstance(s, dict)]
    if service not in names:
        return failed(
            "enabled", f"{service} is not enabled here (enabled: {', '.join(map(str, names))})"
        )
    return passed("enabled", f"{service} is enabled")


def check_version(info: dict[str, Any], expected: str) -> Result:
    version = info.get("version")
    if version != expected:
        return failed("version", f"expected {expected}, got {version!r}")
    return passed("version", f"{version}")


def check_healthy(client: httpx.Client, service: str) -> Result:
    body = json_object(client.get("/health"))
    if service == GATEWAY:
        status = body.get("status")
        return (passed if status == "ok" else failed)("healthy", f"overall status {status!r}")
    services = body.get("services")
    report = services.get(service) if isinstance(services, dict) else None
    if not isinstance(report, dict):
        return failed("healthy", f"{service} has no entry in /health")
    if report.get("status") != "ok":
        bad = [
            f"{c.get('name')}={c.get('status')}" + (f" ({c['detail']})" if c.get("detail") else "")
            for c in report.get("checks", [])
            if isinstance(c, dict) and c.get("status") != "ok"
        ]
        return failed("healthy", f"{service} is {report.get('status')!r}: {'; '.join(bad)}")
    return passed("healthy", f"{service} ok")


def run_verify(client: httpx.Client, service: str, expected_version: str) -> list[Result]:
    """Every check for one service; ``ValueError`` for a name outside the catalogue."""
    if service not in known_services():
        raise ValueError(f"unknown service {service!r}; known: {', '.join(known_services())}")
    info: dict[str, Any] = {}

    def fetch_info() -> Result:
        response = client.get("/api/info")
        if response.status_code != 200:
            return failed("info", f"/api/info answered {response.status_code}")
        info.update(json_object(response))
        return passed("info", "read /api/info")

    reached = guarded("info", fetch_info)
    read = reached.outcome is Outcome.PASSED
    if read:
        enabled, version = check_enabled(info, service), check_version(info, expected_version)
    else:
        enabled = failed("enabled", "unknown: /api/info was not read")
        version = failed("version", "unknown: /api/info was not read")
    healthy = guarded("healthy", lambda: check_healthy(client, service))
    metrics = guarded("metrics", lambda: metrics_check(client))
    head = [] if read else [reached]
    return [*head, enabled, healthy, version, metrics]
