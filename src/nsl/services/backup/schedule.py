"""Daily schedule arithmetic: the most recent ``HH:MM`` UTC slot and whether a run is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def latest_slot(now: datetime, at: str) -> datetime:
    """The newest moment at ``at`` (UTC ``HH:MM``) not after ``now``."""
    hours, minutes = (int(part) for part in at.split(":"))
    moment = now.astimezone(UTC)
    slot = moment.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    return slot if slot <= moment else slot - timedelta(days=1)


def due(last_run: datetime | None, now: datetime, at: str) -> bool:
    """True when no run happened since the latest slot (a missed slot is caught up)."""
    return last_run is None or last_run < latest_slot(now, at)
