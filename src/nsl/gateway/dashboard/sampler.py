"""The dashboard's metric sampler: a ring buffer of series derived from our own registry.

Every ``sample_interval_s`` it reads the registry and turns the change since the last reading
into one point per series: request and 5xx rates, latency p50/p95 from bucket increases, and
the domain series (oracle feed age, automation lag) of the families that exist.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry

from nsl.core.clock import Clock
from nsl.gateway.dashboard.maths import bucket_increase, histogram_quantile, increase
from nsl.gateway.dashboard.reading import AUTOMATION_LAG, ORACLE_FEED_AGE, Reading, read


@dataclass(frozen=True)
class Point:
    """Values over one interval ending at ``t`` (Unix seconds); ``None`` where nothing was seen."""

    t: float
    requests_per_s: float
    errors_per_s: float
    latency_p50: float | None
    latency_p95: float | None
    feed_age_max: float | None
    lag_p50: float | None
    lag_p95: float | None


def derive(before: Reading, after: Reading) -> Point:
    """The point for the interval between two readings (``after.mono > before.mono``)."""
    seconds = after.mono - before.mono
    latency = bucket_increase(before.latency, after.latency)
    lag = bucket_increase(before.lag, after.lag)
    return Point(
        t=after.wall,
        requests_per_s=increase(before.requests, after.requests) / seconds,
        errors_per_s=increase(before.errors, after.errors) / seconds,
        latency_p50=histogram_quantile(0.5, latency),
        latency_p95=histogram_quantile(0.95, latency),
        feed_age_max=max(after.feed_ages) if after.feed_ages else None,
        lag_p50=histogram_quantile(0.5, lag),
        lag_p95=histogram_quantile(0.95, lag),
    )


class Sampler:
    """Reads ``registry`` on each :meth:`sample` and keeps ``history_s`` worth of points."""

    def __init__(
        self, registry: CollectorRegistry, clock: Clock, interval_s: float, history_s: float
    ) -> None:
        self.registry = registry
        self.clock = clock
        self.interval_s = interval_s
        self.history_s = history_s
        self.points: deque[Point] = deque(maxlen=max(2, math.ceil(history_s / interval_s)))
        self._last: Reading | None = None

    async def sample(self) -> None:
        """The periodic task's body."""
        self.take()

    def take(self) -> Point | None:
        """Read now; return the new point (none on the first reading or without elapsed time)."""
        reading = read(self.registry, self.clock.now().timestamp(), self.clock.monotonic())
        before, self._last = self._last, reading
        if before is None or reading.mono <= before.mono:
            return None
        point = derive(before, reading)
        self.points.append(point)
        return point

    def panels(self) -> list[dict[str, Any]]:
        """Graph panels for the page; domain panels only for families that exist."""
        families = self._last.families if self._last else frozenset()
        panels = [
            _panel("requests", "Requests", "req/s", requests_per_s="all", errors_per_s="5xx"),
            _panel("latency", "HTTP latency", "s", latency_p50="p50", latency_p95="p95"),
        ]
        if ORACLE_FEED_AGE in families:
            panels.append(_panel("oracle", "Oracle feeds: oldest", "s", feed_age_max="max age"))
        if AUTOMATION_LAG in families:
            panels.append(_panel("automation", "Automation lag", "s", lag_p50="p50", lag_p95="p95"))
        return [{**p, "lines": self._lines(p.pop("fields"))} for p in panels]

    def _lines(self, fields: dict[str, str]) -> list[dict[str, Any]]:
        return [
            {"label": label, "points": [[p.t, getattr(p, attr)] for p in self.points]}
            for attr, label in fields.items()
        ]


def _panel(panel_id: str, title: str, unit: str, **fields: str) -> dict[str, Any]:
    return {"id": panel_id, "title": title, "unit": unit, "fields": fields}
