"""Running a job's action once: a contract invocation signed by the owner's named key (through
the contracts client) or a signed webhook POST (through ``SafeHttp``). An action either
returns its result or raises :class:`ActionFailed` saying whether a retry is safe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from nsl.adapters.safehttp import SafeHttp
from nsl.core.context import ServiceContext
from nsl.core.errors import NslError
from nsl.services.automation import signing
from nsl.services.automation.base import owner_principal
from nsl.services.automation.models import Execution, Job
from nsl.services.contracts.client import ContractsClient
from nsl.services.notifications.client import NotificationsClient

RESPONSE_CAP = 64 * 1024


class ActionFailed(Exception):
    """``retryable`` is false when repeating could act twice (a transaction was sent)."""

    def __init__(self, error: str, *, retryable: bool, result: dict[str, Any] | None = None):
        super().__init__(error)
        self.error = error[:500]
        self.retryable = retryable
        self.result = result


@dataclass(frozen=True)
class Run:
    job: Job
    execution: Execution


def idempotency_key(job_id: str, scheduled_for: datetime) -> str:
    return f"{job_id}:{scheduled_for.isoformat()}"


async def invoke_contract(ctx: ServiceContext, run: Run) -> dict[str, Any]:
    action = run.job.action
    try:
        view = await ContractsClient(ctx).invoke(
            action["chain"],
            action["contract"],
            action["method"],
            list(action.get("args") or []),
            key_id=action["key_id"],
            principal=owner_principal(run.job),
            abi=action.get("abi"),
        )
    except NslError as exc:
        sent = "invocation_id" in exc.extra  # recorded: the transaction left, outcome unknown
        raise ActionFailed(
            f"{exc.code}: {exc.detail}",
            retryable=not sent,
            result={"invocation_id": exc.extra["invocation_id"]} if sent else None,
        ) from exc
    result = {
        "invocation_id": view.get("invocation_id"),
        "tx_hash": view.get("tx_hash"),
        "status": view.get("status"),
        "state": view.get("state"),
        "block": view.get("block"),
    }
    if view.get("status") != "succeeded":  # a FAULT spent gas: not repeated blindly
        raise ActionFailed(
            f"transaction {view.get('status')}: {view.get('exception')}",
            retryable=False,
            result=result,
        )
    return result


async def notify(ctx: ServiceContext, run: Run) -> dict[str, Any]:
    """Queue the notification; the idempotency key makes a repeated attempt a no-op."""
    action, execution = run.job.action, run.execution
    try:
        notification_id = await NotificationsClient(ctx).send(
            owner_principal(run.job),
            action["channel_id"],
            action["subject"],
            action["body"],
            idempotency_key=idempotency_key(run.job.id, execution.scheduled_for),
        )
    except NslError as exc:
        raise ActionFailed(f"{exc.code}: {exc.detail}", retryable=True) from exc
    return {"notification_id": notification_id}


async def call_webhook(http: SafeHttp, secret: str, now: datetime, run: Run) -> dict[str, Any]:
    """POST the signed message; 2xx is success. Retries carry the same idempotency key."""
    execution = run.execution
    body = orjson.dumps(
        {
            "job_id": run.job.id,
            "execution_id": execution.id,
            "scheduled_for": execution.scheduled_for.isoformat(),
            "attempt": execution.attempt,
            "payload": run.job.action.get("payload"),
            "trigger": execution.context,
        }
    )
    stamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        signing.TIMESTAMP_HEADER: str(stamp),
        signing.SIGNATURE_HEADER: signing.signature(secret, stamp, body),
        signing.IDEMPOTENCY_HEADER: idempotency_key(run.job.id, execution.scheduled_for),
    }
    try:
        answer = await http.request("POST", run.job.action["url"], content=body, headers=headers)
    except NslError as exc:  # the URL may hold a token: only the error's code is kept
        raise ActionFailed(exc.code, retryable=True) from exc
    if not 200 <= answer.status < 300:
        raise ActionFailed(f"HTTP {answer.status}", retryable=True)
    return {"status_code": answer.status}
