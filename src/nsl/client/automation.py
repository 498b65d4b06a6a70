"""Automation endpoints (``/api/v1/automation``): jobs, their executions, and firing a
webhook trigger (signed here with the job's secret)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from nsl.client import results
from nsl.client.base import Call, drop_none, endpoint, path_segment
from nsl.client.results import JsonObject, Page

PREFIX = "/api/v1/automation"


def _one(job_id: str) -> str:
    return f"{PREFIX}/jobs/{path_segment(job_id)}"


class AutomationEndpoints:
    @endpoint
    def create_automation_job(
        self,
        name: str,
        trigger: dict[str, Any],
        action: dict[str, Any],
        expires_at: str | None = None,
        max_executions: int | None = None,
        max_retries: int = 3,
    ) -> Call[JsonObject]:
        """``trigger``: cron / interval / once / block / webhook; ``action``: contract /
        webhook / notification (docs/automation.md). The job's ``secret`` is in this answer
        only."""
        body = {
            "name": name,
            "trigger": trigger,
            "action": action,
            "max_retries": max_retries,
            **drop_none(expires_at=expires_at, max_executions=max_executions),
        }
        return Call("POST", f"{PREFIX}/jobs", results.json_object, json=body)

    @endpoint
    def automation_job(self, job_id: str) -> Call[JsonObject]:
        return Call("GET", _one(job_id), results.json_object)

    @endpoint
    def list_automation_jobs(
        self, status: str | None = None, page: int = 1, page_size: int = 50
    ) -> Call[Page]:
        params = {"status": status, "page": page, "page_size": page_size}
        return Call("GET", f"{PREFIX}/jobs", results.json_body, params=params)

    @endpoint
    def replace_automation_job(self, job_id: str, definition: dict[str, Any]) -> Call[JsonObject]:
        """``definition``: the same fields as at creation (all of them)."""
        return Call("PUT", _one(job_id), results.json_object, json=definition)

    @endpoint
    def update_automation_job(self, job_id: str, changes: dict[str, Any]) -> Call[JsonObject]:
        """Only the fields in ``changes`` change (name, trigger, action, expires_at, max_...)."""
        return Call("PATCH", _one(job_id), results.json_object, json=changes)

    @endpoint
    def pause_automation_job(self, job_id: str) -> Call[JsonObject]:
        return Call("POST", f"{_one(job_id)}/pause", results.json_object)

    @endpoint
    def resume_automation_job(self, job_id: str) -> Call[JsonObject]:
        return Call("POST", f"{_one(job_id)}/resume", results.json_object)

    @endpoint
    def cancel_automation_job(self, job_id: str) -> Call[JsonObject]:
        return Call("POST", f"{_one(job_id)}/cancel", results.json_object)

    @endpoint
    def automation_executions(
        self, job_id: str, status: str | None = None, page: int = 1, page_size: int = 50
    ) -> Call[Page]:
        """Newest due time first: ``status``, ``attempt``, ``started_at``, ``error``,
        ``result`` (``tx_hash`` of a contract action)."""
        params = {"status": status, "page": page, "page_size": page_size}
        return Call("GET", f"{_one(job_id)}/executions", results.json_body, params=params)

    @endpoint
    def fire_automation_hook(
        self, job_id: str, secret: str, payload: Any = None, timestamp: int | None = None
    ) -> Call[JsonObject]:
        """Fire a webhook trigger: the body is signed with the job's ``secret``."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        stamp = int(time.time()) if timestamp is None else timestamp
        mac = hmac.new(secret.encode(), str(stamp).encode() + b"." + body, hashlib.sha256)
        headers = {
            "Content-Type": "application/json",
            "X-NSL-Timestamp": str(stamp),
            "X-NSL-Signature": "v1=" + mac.hexdigest(),
        }
        path = f"{PREFIX}/hooks/{path_segment(job_id)}"
        return Call("POST", path, results.json_object, headers=headers, content=body)
