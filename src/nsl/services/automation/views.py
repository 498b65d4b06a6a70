"""Read views: what the API returns for jobs and executions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nsl.services.automation.models import Execution, Job


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def job_view(row: Job) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "status": row.status,
        "trigger": row.trigger,
        "action": row.action,
        "next_run_at": _time(row.next_run_at),
        "expires_at": _time(row.expires_at),
        "max_executions": row.max_executions,
        "executions": row.executions,
        "max_retries": row.max_retries,
        "event_subscription_id": row.event_subscription_id,
        "created_at": _time(row.created_at),
        "updated_at": _time(row.updated_at),
    }


def execution_view(row: Execution) -> dict[str, Any]:
    return {
        "id": row.id,
        "job_id": row.job_id,
        "scheduled_for": _time(row.scheduled_for),
        "event_id": row.event_id,
        "status": row.status,
        "attempt": row.attempt,
        "started_at": _time(row.started_at),
        "finished_at": _time(row.finished_at),
        "next_attempt_at": _time(row.next_attempt_at) if row.status == "retrying" else None,
        "error": row.error,
        "result": row.result,
    }


def page(items: list[dict[str, Any]], total: int, number: int, size: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": number, "page_size": size}
