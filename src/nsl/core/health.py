"""Health results: ``ok | degraded | down`` with named checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


_RANK = {Status.OK: 0, Status.DEGRADED: 1, Status.DOWN: 2}


def worst(statuses: list[Status]) -> Status:
    """The most severe of several statuses (``ok`` when there are none)."""
    return max(statuses, key=_RANK.__getitem__, default=Status.OK)


@dataclass(frozen=True)
class Check:
    """One named check with its outcome and, for adapters, the backend in use."""

    name: str
    status: Status
    detail: str = ""
    backend: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "status": self.status.value}
        if self.detail:
            data["detail"] = self.detail
        if self.backend:
            data["backend"] = self.backend
        return data


@dataclass(frozen=True)
class Health:
    """A component's health: the worst of its checks."""

    checks: list[Check] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return worst([c.status for c in self.checks])

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status.value, "checks": [c.as_dict() for c in self.checks]}
