"""A phase's gate: the gateway ready, each service of the phase routed, on and healthy through the
gateway, and the smoke checks passing against the gateway."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httpx

from nsl.core import catalogue
from nsl.core.settings import Settings
from nsl.ops.deploy.layout import groups
from nsl.ops.report import Result, failed, passed, skipped
from nsl.ops.smoke import SmokeOptions, run_smoke

if TYPE_CHECKING:
    from nsl.ops.deploy.deployer import Deployer

ADMIN_KEY_FILE = "admin-api-key"
HEALTHY = ("ok", "degraded")


def admin_key(settings: Settings) -> str | None:
    """The operator's admin key: the configured bootstrap key, else the one kept in the data dir."""
    if settings.bootstrap_admin_key is not None:
        return settings.bootstrap_admin_key.get_secret_value()
    path = settings.data_dir / ADMIN_KEY_FILE
    return path.read_text().strip() if path.exists() else None


async def phase_checks(deployer: Deployer, phase: int) -> list[Result]:
    key = admin_key(deployer.settings)
    if key is None:
        return [failed("admin_key", "no admin key: set NSL_BOOTSTRAP_ADMIN_KEY")]
    results = [await _services(deployer, phase, key)]
    origin = deployer.settings.http.cors_origins[0] if deployer.settings.http.cors_origins else None
    options = SmokeOptions(api_key=key, origin=origin, burst=0)

    def smoke() -> list[Result]:
        with httpx.Client(base_url=deployer.gateway_url, timeout=10, trust_env=False) as client:
            return run_smoke(client, options)

    results.extend(await asyncio.to_thread(smoke))
    return results


async def _services(deployer: Deployer, phase: int, key: str) -> Result:
    names = {e.name for e in catalogue.CATALOGUE if e.phase == phase and not e.required}
    names &= {n for g in groups(deployer.settings) for n in g.services}
    if not names:
        return skipped("services", f"no service of phase {phase} is in the catalogue yet")
    response = await deployer.http.get(
        deployer.gateway_url + "/api/v1/deploy/status", headers={"X-API-Key": key}, timeout=10
    )
    if response.status_code != 200:
        return failed("services", f"/api/v1/deploy/status answered {response.status_code}")
    entries: dict[str, Any] = {s["name"]: s for s in response.json()["services"]}
    bad = [
        f"{name} ({entries[name]['mode']}, {entries[name]['health']})"
        for name in sorted(names)
        if entries[name]["mode"] != "proxied" or entries[name]["health"] not in HEALTHY
    ]
    if bad:
        return failed("services", "not serving through the gateway: " + ", ".join(bad))
    return passed("services", "serving through the gateway: " + ", ".join(sorted(names)))
