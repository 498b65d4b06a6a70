"""Webhook triggers: ``POST /hooks/{job_id}`` signed with the job's secret (HMAC-SHA256 over
``<timestamp>.<body>``, 5-minute replay window) queues one execution. Its due time is derived
from the timestamp and the signature, so a replayed request maps to the same execution."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from nsl.core.ids import new_id
from nsl.services.automation import signing
from nsl.services.automation.base import AutomationBase
from nsl.services.automation.errors import BadSignature, WrongState, not_found
from nsl.services.automation.repository import PENDING, AutomationRepository

MAX_BODY = 64 * 1024


def due_time(timestamp: str, signature: str) -> datetime:
    """The request's idempotency key as a time: its second plus a signature-derived fraction."""
    fraction = int(hashlib.sha256(signature.encode()).hexdigest(), 16) % 1_000_000
    return datetime.fromtimestamp(int(timestamp), UTC) + timedelta(microseconds=fraction)


class HookUseCases(AutomationBase):
    async def hook(
        self, job_id: str, body: bytes, timestamp: str | None, signature: str | None
    ) -> dict[str, Any]:
        async with self.operation("hook"):
            async with self.ctx.database.session() as session:
                job = await AutomationRepository(session).job(job_id)
            if job is None or job.trigger.get("type") != "webhook":
                raise not_found(job_id)
            now = self.ctx.clock.now()
            secret = await self.secret(job)
            valid = (
                timestamp is not None
                and signature is not None
                and len(body) <= MAX_BODY
                and signing.fresh_and_valid(secret, timestamp, body, signature, now.timestamp())
            )
            if not valid or timestamp is None or signature is None:
                raise BadSignature("missing, stale or wrong X-NSL-Timestamp / X-NSL-Signature")
            return await self._queue(job_id, due_time(timestamp, signature), body, now)

    async def _queue(
        self, job_id: str, due: datetime, body: bytes, now: datetime
    ) -> dict[str, Any]:
        async with self.ctx.database.session() as session:
            repo = AutomationRepository(session)
            job = await repo.job(job_id, lock=True)
            assert job is not None
            if job.status != "active":
                raise WrongState(f"the job is {job.status}")
            if job.expires_at is not None and now > job.expires_at:
                job.status, job.updated_at = "expired", now
                return {"queued": False, "status": "expired"}
            execution_id = new_id()
            inserted = await repo.add_execution(
                id=execution_id,
                job_id=job_id,
                scheduled_for=due,
                status=PENDING,
                attempt=0,
                lease_owner=None,
                lease_expires_at=None,
                next_attempt_at=now,
                dispatched_at=None,
                started_at=None,
                finished_at=None,
                error=None,
                result=None,
                context={"type": "webhook", "body": _payload(body)},
            )
            if inserted:
                job.executions += 1
                job.updated_at = now
                if job.max_executions is not None and job.executions >= job.max_executions:
                    job.status = "completed"
        return {"queued": inserted, "execution_id": execution_id if inserted else None}


def _payload(body: bytes) -> Any:
    try:
        return orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return body.decode("utf-8", "replace")
