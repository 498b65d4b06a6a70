"""Compose files per phase: phase N adds its services as ``nsl serve --only NAME`` containers;
phase 1 also holds the gateway and the migration, and each later file sets the gateway's upstreams
to the services of every phase up to its own (files are combined in order)."""

from __future__ import annotations

from typing import Any

from nsl.ops.manifests.compose_infra import DATA_NETWORK, infrastructure
from nsl.ops.manifests.env import ENV_FILE, compose_extras, process_env
from nsl.ops.manifests.plan import Plan, Process
from nsl.ops.manifests.spec import (
    DATA_DIR,
    PORT,
    RUN_AS,
    SMALL_MAX_CONNECTIONS,
    Volume,
    pool_for,
)

MIGRATE = "nsl-migrate"
READY = f"http://127.0.0.1:{PORT}/health/ready"
# the image has Python (it runs nsl); urlopen raises on a non-2xx answer, so a 503 is unhealthy
PROBE = f"import urllib.request; urllib.request.urlopen('{READY}', timeout=4)"


def _image(plan: Plan) -> str:
    return "${NSL_IMAGE:-" + plan.image + "}"


def _volume_name(process: Process, volume: Volume) -> str:
    return f"{process.host}-{volume.name}"


def _container(plan: Plan, command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """What every nsl container shares: image, env file, hardening, the data tier."""
    return {
        "image": _image(plan),
        "command": command,
        "env_file": [ENV_FILE],
        "environment": env,
        "user": f"{RUN_AS}:{RUN_AS}",
        "read_only": True,
        "tmpfs": ["/tmp", DATA_DIR],  # noqa: S108 - a private tmpfs in the container
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges:true"],
        "networks": [DATA_NETWORK, "default"],
    }


def _depends(migrated: bool) -> dict[str, Any]:
    needs = {name: {"condition": "service_healthy"} for name in ("postgres", "redis", "rabbitmq")}
    if migrated:
        needs[MIGRATE] = {"condition": "service_completed_successfully"}
    return needs


def _service(plan: Plan, process: Process, env: dict[str, str]) -> dict[str, Any]:
    service = _container(plan, list(process.command), env)
    service.update(
        {
            "depends_on": _depends(migrated=True),
            "expose": [str(PORT)],
            "healthcheck": {
                "test": ["CMD", "python", "-c", PROBE],
                "interval": "10s",
                "timeout": "5s",
                "retries": 3,
                "start_period": "60s",
            },
            "stop_grace_period": "45s",  # the gateway's drain (30 s) plus margin
            "restart": "unless-stopped",
            "labels": {"io.nsl.service": process.name, "io.nsl.phase": str(process.phase)},
            "deploy": {
                "resources": {"limits": {"cpus": process.spec.cpus, "memory": process.spec.memory}}
            },
        }
    )
    if process.spec.volumes:
        service["volumes"] = [
            f"{_volume_name(process, v)}:{v.mount_path}" for v in process.spec.volumes
        ]
    return service


def _env(plan: Plan) -> dict[str, str]:
    # every process plus the migration may hold a full pool at once
    pool = pool_for(len(plan.processes) + 1, SMALL_MAX_CONNECTIONS)
    return {**process_env(pool), **compose_extras()[0]}


def phase_file(plan: Plan, phase: int) -> dict[str, Any]:
    """The ``phaseN.yml`` document."""
    env = _env(plan)
    gateway_env = compose_extras()[1]
    upstreams = {"NSL_GATEWAY__UPSTREAMS": plan.upstreams(phase)}
    services: dict[str, Any] = {}
    if phase == 1:
        migrate = _container(plan, ["nsl", "db", "upgrade"], env)
        migrate.update({"depends_on": _depends(migrated=False), "restart": "no"})
        services[MIGRATE] = migrate
        gateway = _service(plan, plan.gateway, {**env, **gateway_env, **upstreams})
        gateway["ports"] = [f"127.0.0.1:{PORT}:{PORT}"]  # a TLS terminator on the host fronts it
        services[plan.gateway.host] = gateway
    else:
        services[plan.gateway.host] = {"environment": upstreams}
    volumes: dict[str, Any] = {}
    for process in plan.services:
        if process.phase == phase:
            services[process.host] = _service(plan, process, env)
            volumes.update({_volume_name(process, v): {} for v in process.spec.volumes})
    document: dict[str, Any] = {"services": services}
    if volumes:
        document["volumes"] = volumes
    return document


def compose_files(plan: Plan) -> dict[str, dict[str, Any]]:
    """File name -> document for ``deploy/compose``."""
    files = {"infra.yml": infrastructure()}
    for phase in sorted({1, *plan.phases()}):
        files[f"phase{phase}.yml"] = phase_file(plan, phase)
    return files
