"""Contract-event triggers: each job holds a bus-delivered events subscription made as its
owner; every matched event queues one execution (idempotency key: job and chain event id),
with the event as ``trigger.event``. A retraction (reorg) cancels an execution not yet run."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nsl.adapters.inbox import idempotent_in_session
from nsl.core.chain import chain_name
from nsl.core.errors import NotFound, NslError, ValidationFailed
from nsl.core.ports import Event
from nsl.services.automation.base import owner_principal
from nsl.services.automation.errors import InvalidInput
from nsl.services.automation.models import Job
from nsl.services.automation.prices import PriceUseCases
from nsl.services.automation.repository import AutomationRepository
from nsl.services.events.client import BUS_PATTERN, EventsClient

log = logging.getLogger(__name__)
CONSUMER = "automation"
FIELDS = {"type", "chain", "contract", "event_name", "filters", "confirmations", "abi"}
TERMINAL = ("cancelled", "completed", "expired")
COLLISIONS = 64  # due-time bumps tried when another event of the job took the same microsecond


def event_trigger(data: dict[str, Any]) -> dict[str, Any]:
    """The trigger's shape; formats (contract, ABI, filter values) are checked by events."""
    for key in data:
        if key not in FIELDS:
            raise InvalidInput.on(f"trigger.{key}", "unknown_field", "not a field of this type")
    chain = chain_name(str(data.get("chain")), "trigger.chain")
    for field in ("contract", "event_name"):
        if not isinstance(data.get(field), str) or not data[field]:
            raise InvalidInput.on(f"trigger.{field}", "required", "a non-empty string")
    filters = data.get("filters") or {}
    if not isinstance(filters, dict):
        raise InvalidInput.on("trigger.filters", "object", "an object of argument: value")
    confirmations = data.get("confirmations")
    if confirmations is not None and (
        not isinstance(confirmations, int) or isinstance(confirmations, bool)
    ):
        raise InvalidInput.on("trigger.confirmations", "integer", "a number of blocks")
    abi = data.get("abi")
    if abi is not None and not (isinstance(abi, list) and all(isinstance(e, dict) for e in abi)):
        raise InvalidInput.on("trigger.abi", "list", "a JSON ABI (list of objects)")
    return {
        "type": "event",
        "chain": chain,
        "contract": data["contract"],
        "event_name": data["event_name"],
        "filters": filters,
        "confirmations": confirmations,
        "abi": abi,
    }


def due_time(occurred_at: datetime, event_id: str) -> datetime:
    """A deterministic due time: the publication's second plus an event-derived fraction."""
    fraction = int(hashlib.sha256(event_id.encode()).hexdigest(), 16) % 1_000_000
    return occurred_at.replace(microsecond=0) + timedelta(microseconds=fraction)


class EventTriggerUseCases(PriceUseCases):
    async def subscribe_job(self, row: Job) -> None:
        """Make the job's subscription (as its owner); events' refusals name ``trigger.*``."""
        if row.trigger["type"] != "event":
            return
        client = EventsClient(self.ctx)
        if not client.available():
            raise InvalidInput.on("trigger.type", "available", "events not available here")
        t = row.trigger
        try:
            made = await client.subscribe(
                owner_principal(row),
                chain=t["chain"],
                contract=t["contract"],
                event_name=t["event_name"],
                filters=t["filters"],
                confirmations=t["confirmations"],
                abi=t["abi"],
                description=f"automation job {row.id}",
            )
        except ValidationFailed as exc:
            issue = exc.fields[0] if exc.fields else None
            if issue is None:
                raise
            raise InvalidInput.on(f"trigger.{issue.field}", issue.rule, issue.message) from exc
        row.event_subscription_id = made["id"]
        row.trigger = {**t, "confirmations": made["confirmations"]}

    async def release(self, job: Job) -> bool:
        """Remove a finished job's subscription; true once it is gone (or was never there)."""
        if job.event_subscription_id is None:
            return True
        try:
            await EventsClient(self.ctx).cancel(owner_principal(job), job.event_subscription_id)
        except NotFound:
            pass  # removed already (by its owner, or by an earlier attempt)
        except NslError as exc:  # events not here, or failing: the sweep tries again
            log.warning("automation: subscription of job %s not removed: %s", job.id, exc.code)
            return False
        async with self.ctx.database.session() as session:
            await AutomationRepository(session).forget_subscription(job.id)
        return True

    async def release_finished(self) -> int:
        """Remove the subscriptions of jobs that ended (cancelled, completed, expired)."""
        now = self.ctx.clock.now()
        async with self.ctx.database.session() as session:
            repo = AutomationRepository(session)
            await repo.expire_waiting(now)
            finished = list(await repo.subscribed(TERMINAL))
        return sum([await self.release(job) for job in finished])

    async def consume_events(self) -> None:
        """One consumer group for every bus subscription's topic, exactly once per message."""
        handler = idempotent_in_session(
            self.ctx.database, CONSUMER, self.on_event, self.ctx.metrics, self.ctx.clock
        )
        await self.ctx.bus.subscribe(CONSUMER, BUS_PATTERN, handler)

    async def on_event(self, session: AsyncSession, event: Event) -> None:
        """Queue (or, for a retraction, cancel) the execution of the job holding the
        subscription; topics of subscriptions that are not a job's are ignored."""
        subscription_id, chain_event_id = (
            event.payload.get("subscription_id"),
            event.payload.get("event_id"),
        )
        if not isinstance(subscription_id, str) or not isinstance(chain_event_id, str):
            return
        repo = AutomationRepository(session)
        job = await repo.job_by_subscription(subscription_id)
        if job is None:
            return
        now = self.ctx.clock.now()
        if event.payload.get("type") == "retracted":
            await repo.cancel_event(job.id, chain_event_id, now)
            return
        if job.status != "active":
            return
        if job.expires_at is not None and now > job.expires_at:
            job.status, job.updated_at = "expired", now
            return
        context = {"type": "event", "event": event.payload.get("event")}
        due = due_time(event.occurred_at, chain_event_id)
        for _ in range(COLLISIONS):
            values = self.pending(job.id, due, now, context)
            if await repo.add_execution(**values, event_id=chain_event_id):
                job.executions += 1
                job.updated_at = now
                if job.max_executions is not None and job.executions >= job.max_executions:
                    job.status = "completed"
                return
            if await repo.has_event(job.id, chain_event_id):
                return  # queued already: this event runs once
            due += timedelta(microseconds=1)
        raise RuntimeError(f"no free due time for event {chain_event_id} of job {job.id}")
