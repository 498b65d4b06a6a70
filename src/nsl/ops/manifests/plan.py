"""The processes a deployment runs, derived from the catalogue: the gateway plus one per service
that is not ``required`` (``auth`` runs inside every process). Compose and Kubernetes manifests
are both built from a :class:`Plan`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from nsl.core.catalogue import CATALOGUE, PHASE_NAMES, Entry, with_needs
from nsl.ops.manifests.spec import GATEWAY, PORT, BackupJob, Spec, image, spec_for


@dataclass(frozen=True)
class Process:
    """One ``nsl`` process kind: its name, phase, command and size."""

    name: str
    phase: int
    command: tuple[str, ...]
    spec: Spec
    description: str

    @property
    def host(self) -> str:
        """Its compose service name and Kubernetes Service name (``nsl-keys``)."""
        return f"nsl-{self.name}"


@dataclass(frozen=True)
class Plan:
    """Everything the generators need; built by :func:`plan` and nothing else."""

    version: str
    image: str
    gateway: Process
    services: tuple[Process, ...]
    phase_names: dict[int, str]
    backup_jobs: tuple[BackupJob, ...] = ()
    domain: str | None = None

    @property
    def processes(self) -> tuple[Process, ...]:
        return (self.gateway, *self.services)

    def phases(self) -> list[int]:
        """Phases that have at least one service of their own, in order."""
        return sorted({p.phase for p in self.services})

    def services_up_to(self, phase: int) -> list[Process]:
        return [p for p in self.services if p.phase <= phase]

    def upstreams(self, phase: int, base_url: str = "http://{host}:{port}") -> str:
        """``NSL_GATEWAY__UPSTREAMS``: JSON of every service of phases <= ``phase``."""
        table = {
            p.name: base_url.format(host=p.host, port=PORT) for p in self.services_up_to(phase)
        }
        return json.dumps(table, separators=(",", ":"), sort_keys=True)


def plan(
    version: str,
    catalogue: Iterable[Entry] = CATALOGUE,
    *,
    image_name: str | None = None,
    backup_jobs: Iterable[BackupJob] = (),
    domain: str | None = None,
) -> Plan:
    """The processes for ``catalogue`` (the real one unless a test passes another)."""
    entries = list(catalogue)
    names = [e.name for e in entries]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"catalogue names repeat: {', '.join(duplicates)}")
    if GATEWAY in names:
        raise ValueError(f"{GATEWAY!r} names the gateway process; no service may take it")
    gateway = Process(GATEWAY, 1, ("nsl", "serve", "--gateway"), spec_for(GATEWAY), "API gateway")
    services = tuple(
        Process(
            e.name,
            e.phase,
            ("nsl", "serve", "--only", ",".join(with_needs([e.name], tuple(entries)))),
            spec_for(e.name),
            e.description,
        )
        for e in sorted(entries, key=lambda e: (e.phase, e.name))
        if not e.required
    )
    return Plan(
        version=version,
        image=image_name or image(version),
        gateway=gateway,
        services=services,
        phase_names=dict(PHASE_NAMES),
        backup_jobs=tuple(backup_jobs),
        domain=domain,
    )
