"""Time triggers: cron (5 fields, or 6 with seconds last, via ``croniter``), fixed intervals
and one-shot times; when each is next due after a given moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from croniter import croniter

from nsl.services.automation.errors import InvalidInput

TIME_TRIGGERS = ("cron", "interval", "once")


def check_cron(expression: object) -> str:
    """A cron expression of 5 fields (minute resolution) or 6 (the 6th is seconds)."""
    if not isinstance(expression, str) or len(expression.split()) not in (5, 6):
        raise InvalidInput.on("trigger.cron", "cron_fields", "5 or 6 space-separated fields")
    text = " ".join(expression.split())
    if not croniter.is_valid(text):
        raise InvalidInput.on("trigger.cron", "cron_syntax", f"not a valid cron expression: {text}")
    return text


def after(trigger: dict[str, Any], moment: datetime, previous: datetime | None) -> datetime | None:
    """The first due time of a time trigger strictly after ``moment`` (None: never again).

    An interval keeps its phase: the next due time is ``previous + k * seconds``."""
    kind = trigger["type"]
    if kind == "cron":
        base = moment.astimezone(UTC)
        found: datetime = croniter(trigger["cron"], base).get_next(datetime)
        return found.astimezone(UTC)
    if kind == "interval":
        step = timedelta(seconds=int(trigger["seconds"]))
        if previous is None:
            return moment + step
        missed = max(int((moment - previous) / step), 0)
        due = previous + step * (missed + 1)
        return due if due > moment else due + step
    if kind == "once":
        due_at = datetime.fromisoformat(trigger["at"])
        return due_at if previous is None and due_at > moment else None
    return None
