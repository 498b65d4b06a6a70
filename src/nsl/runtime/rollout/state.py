"""Value types of the rollout state: colours, upstreams, routes and a loaded snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Color = Literal["blue", "green"]
COLORS: tuple[Color, Color] = ("blue", "green")


def other(color: Color) -> Color:
    return "green" if color == "blue" else "blue"


@dataclass(frozen=True)
class Upstream:
    """One running version of a service: its base URL and the version it reported."""

    url: str
    version: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"upstream": self.url, "version": self.version}


@dataclass(frozen=True)
class Route:
    """Where the gateway sends a service: the active colour, and the standby kept for rollback."""

    service: str
    active: Color
    blue: Upstream | None = None
    green: Upstream | None = None

    def upstream(self, color: Color) -> Upstream | None:
        return self.blue if color == "blue" else self.green

    @property
    def current(self) -> Upstream | None:
        return self.upstream(self.active)

    @property
    def standby(self) -> Upstream | None:
        return self.upstream(other(self.active))


@dataclass(frozen=True)
class Snapshot:
    """Flags and routes as of one generation."""

    generation: int = 0
    flags: dict[str, bool] = field(default_factory=dict)
    routes: dict[str, Route] = field(default_factory=dict)

    def enabled(self, service: str) -> bool:
        return self.flags.get(service, True)
