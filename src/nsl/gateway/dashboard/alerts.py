"""Recent alerts: Alertmanager's active alerts (API v2) and this process's failing health checks."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import httpx

from nsl.core.clock import Clock
from nsl.core.health import Health, Status

log = logging.getLogger(__name__)
SEVERITY_ORDER = {"critical": 0, "error": 1, "warning": 2, "info": 3}
ACTIVE_ONLY = {"active": "true", "silenced": "false", "inhibited": "false"}


def alert(
    source: str,
    name: str,
    severity: str,
    summary: str,
    started_at: str | None,
    labels: dict[str, str],
) -> dict[str, Any]:
    """One alert as the summary endpoint lists it."""
    return {
        "source": source,
        "name": name,
        "severity": severity,
        "summary": summary,
        "started_at": started_at,
        "labels": labels,
    }


def ordered(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most severe first, then the most recent."""
    by_time = sorted(alerts, key=lambda a: a["started_at"] or "", reverse=True)
    return sorted(by_time, key=lambda a: SEVERITY_ORDER.get(a["severity"], len(SEVERITY_ORDER)))


class LocalAlerts:
    """Each failing health check is an alert, dated from when this process first saw it fail."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._since: dict[str, datetime] = {}

    def evaluate(self, health: dict[str, Health]) -> list[dict[str, Any]]:
        now = self.clock.now()
        found: list[dict[str, Any]] = []
        failing: set[str] = set()
        for service, report in health.items():
            for check in report.checks:
                if check.status is Status.OK:
                    continue
                key = f"{service}/{check.name}"
                failing.add(key)
                since = self._since.setdefault(key, now)
                severity = "critical" if check.status is Status.DOWN else "warning"
                summary = f"{check.name} is {check.status.value}"
                if check.detail:
                    summary += f": {check.detail}"
                found.append(
                    alert(
                        "local",
                        check.name,
                        severity,
                        summary,
                        since.isoformat(),
                        {"service": service},
                    )
                )
        for key in set(self._since) - failing:
            del self._since[key]
        return found


class Alertmanager:
    """Reads ``GET {url}/api/v2/alerts``; an unreachable Alertmanager is reported, not hidden."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self._endpoint = url.rstrip("/") + "/api/v2/alerts"
        self.timeout_s = timeout_s

    async def fetch(self) -> tuple[list[dict[str, Any]], str | None]:
        """The active alerts and ``None``, or no alerts and why they could not be read."""
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                response = await client.get(self._endpoint, params=ACTIVE_ONLY)
        except httpx.HTTPError as exc:  # the message may carry the URL and its credentials
            log.warning("alertmanager unreachable: %s", type(exc).__name__)
            return [], f"unreachable ({type(exc).__name__})"
        if response.status_code != 200:
            return [], f"answered HTTP {response.status_code}"
        try:
            body = response.json()
        except ValueError:
            return [], "answered with something other than JSON"
        if not isinstance(body, list):
            return [], "answered with something other than a list of alerts"
        return [parsed for item in body if (parsed := _parse(item)) is not None], None


def _parse(item: object) -> dict[str, Any] | None:
    """One gettableAlert of the v2 API; items without labels are skipped."""
    if not isinstance(item, dict) or not isinstance(item.get("labels"), dict):
        return None
    labels = {str(k): str(v) for k, v in item["labels"].items()}
    given = item.get("annotations")
    annotations: dict[str, Any] = given if isinstance(given, dict) else {}
    summary = str(annotations.get("summary") or annotations.get("description") or "")
    starts = item.get("startsAt")
    return alert(
        "alertmanager",
        labels.get("alertname", "unnamed"),
        labels.get("severity", "none"),
        summary,
        starts if isinstance(starts, str) else None,
        labels,
    )
