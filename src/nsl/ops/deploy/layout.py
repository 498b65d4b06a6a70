"""Which processes a phase needs: services grouped per settings, each group on stable ports."""

from __future__ import annotations

from dataclasses import dataclass

from nsl.core import catalogue
from nsl.core.errors import ValidationFailed
from nsl.core.settings import Settings
from nsl.runtime.rollout.state import Color

GATEWAY = "gateway"


@dataclass(frozen=True)
class Group:
    """Services that share one process, and the ports of its two colours."""

    name: str
    services: tuple[str, ...]  # routed to this process
    phase: int  # the earliest phase of its services: the group starts with that phase
    blue_port: int
    green_port: int

    def port(self, color: Color) -> int:
        return self.blue_port if color == "blue" else self.green_port

    @property
    def runs(self) -> tuple[str, ...]:
        """What the process runs: its services and those they call in-process (not routed)."""
        return tuple(catalogue.with_needs(self.services))


def groups(settings: Settings) -> list[Group]:
    """Every process group of the enabled catalogue, in phase then catalogue order."""
    configured = settings.deploy.groups
    owner: dict[str, str] = {}
    for group, names in configured.items():
        for name in names:
            if name not in catalogue.NAMES:
                raise ValidationFailed.on(
                    f"deploy.groups.{group}", "known_service", f"unknown service {name!r}"
                )
            if name in owner:
                raise ValidationFailed.on(
                    f"deploy.groups.{group}",
                    "one_group",
                    f"{name} is already in group {owner[name]}",
                )
            owner[name] = group
    members: dict[str, list[catalogue.Entry]] = {}
    for item in catalogue.CATALOGUE:
        if item.required or not settings.service_enabled(item.name):
            continue  # auth comes with every process
        members.setdefault(owner.get(item.name, item.name), []).append(item)
    result = []
    for index, (name, items) in enumerate(members.items()):
        base = settings.deploy.base_port + 2 * index
        services = tuple(i.name for i in items)
        result.append(Group(name, services, min(i.phase for i in items), base, base + 1))
    return sorted(result, key=lambda g: g.phase)


def groups_up_to(settings: Settings, phase: int) -> list[Group]:
    return [g for g in groups(settings) if g.phase <= phase]


def group_of(settings: Settings, service: str) -> Group:
    for group in groups(settings):
        if service in group.services or service == group.name:
            return group
    raise ValidationFailed.on("service", "deployable", f"{service!r} is not a deployable service")
