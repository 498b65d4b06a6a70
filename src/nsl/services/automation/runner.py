"""The scheduler: claims due jobs and executions in short transactions, runs their actions
outside them, and records each outcome.

Exactly once per due time: a due job is locked (``SKIP LOCKED``), its execution row inserted
under ``UNIQUE (job_id, scheduled_for)`` with a lease naming this process, and its next due
time set, in one transaction. A process that dies mid-run leaves a lease that expires; another
replica then takes the execution over (``attempt`` + 1). See docs/decisions/0017.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime, timedelta
from typing import Any

from nsl.adapters.safehttp import Policy, SafeHttp
from nsl.core.ids import new_id
from nsl.services.automation import actions, schedule
from nsl.services.automation.actions import ActionFailed, Run
from nsl.services.automation.eventtrigger import EventTriggerUseCases
from nsl.services.automation.models import Execution, Job
from nsl.services.automation.repository import (
    FAILED,
    PENDING,
    RETRYING,
    RUNNING,
    SUCCEEDED,
    AutomationRepository,
)

log = logging.getLogger(__name__)
FLUSH_BATCH = 1000
OUTCOME_UNKNOWN = (
    "automation.outcome_unknown: the runner stopped after handing the transaction over; "
    "it is not sent again"
)


def retry_delay(attempt: int, base_s: float, cap_s: float) -> float:
    """``base * 2**(attempt-1)`` capped, with equal jitter (uniform in the upper half)."""
    ceiling = min(cap_s, base_s * 2.0 ** min(attempt - 1, 62))
    return ceiling / 2 + ceiling / 2 * random.random()


class RunnerUseCases(EventTriggerUseCases):
    http: SafeHttp | None = None
    inflight: dict[str, asyncio.Task[None]]
    outcomes: list[dict[str, Any]]  # finished attempts not yet written
    flushing: asyncio.Task[None] | None = None
    senders: asyncio.Semaphore  # webhook requests in flight (the HTTP pool's size)

    async def tick(self) -> int:
        """Claim due jobs and claimable executions (within free capacity) and start them."""
        free = self.settings.concurrency - len(self.inflight)
        if free <= 0:
            return 0
        now = self.ctx.clock.now()
        runs = await self._claim_jobs(now, min(free, self.settings.claim_batch))
        if len(runs) < free:
            runs += await self._claim_executions(now, free - len(runs))
        for run in runs:
            task = asyncio.create_task(
                self._execute(run), name=f"automation.run.{run.execution.id}"
            )
            self.inflight[run.execution.id] = task
            task.add_done_callback(self._forget)
        return len(runs)

    def _forget(self, task: asyncio.Task[None]) -> None:
        """A run that could not record its outcome keeps its lease, which expires: another
        attempt (here or on a replica) follows."""
        self.inflight.pop(task.get_name().removeprefix("automation.run."), None)
        if not task.cancelled() and task.exception() is not None:
            log.warning("automation: %s failed: %r", task.get_name(), task.exception())

    async def idle(self) -> None:
        """Wait for the actions started so far and their recorded outcomes (tests, shutdown)."""
        while self.inflight or (self.flushing is not None and not self.flushing.done()):
            waiting = [*self.inflight.values(), *([self.flushing] if self.flushing else [])]
            await asyncio.gather(*waiting, return_exceptions=True)

    def _lease(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.settings.lease_ttl_s)

    async def _claim_jobs(self, now: datetime, limit: int) -> list[Run]:
        runs: list[Run] = []
        async with self.ctx.database.session() as session:
            repo = AutomationRepository(session)
            claimed: list[tuple[Job, dict[str, Any]]] = []
            for job in await repo.due_jobs(now, limit):
                due = job.next_run_at
                assert due is not None
                if job.expires_at is not None and due > job.expires_at:
                    job.status, job.next_run_at, job.updated_at = "expired", None, now
                    continue
                claimed.append((job, self._execution(job.id, due, now, RUNNING)))
            inserted = await repo.add_executions([values for _, values in claimed])
            for job, values in claimed:
                if values["id"] in inserted:
                    job.executions += 1
                    runs.append(Run(_detached(job), Execution(**values)))
                assert job.next_run_at is not None
                self._advance(job, job.next_run_at, now)
        return runs

    def _execution(
        self, job_id: str, due: datetime, now: datetime, status: str
    ) -> dict[str, object]:
        running = status == RUNNING
        return {
            "id": new_id(),
            "job_id": job_id,
            "scheduled_for": due,
            "status": status,
            "attempt": 1 if running else 0,
            "lease_owner": self.ctx.instance_id if running else None,
            "lease_expires_at": self._lease(now) if running else None,
            "next_attempt_at": None if running else now,
            "dispatched_at": None,
            "started_at": now if running else None,
            "finished_at": None,
            "error": None,
            "result": None,
            "context": None,
        }

    def _advance(self, job: Job, due: datetime, now: datetime) -> None:
        """The job's next due time after running ``due`` (or its end)."""
        job.updated_at = now
        if job.max_executions is not None and job.executions >= job.max_executions:
            job.status, job.next_run_at = "completed", None
            return
        following = schedule.after(job.trigger, max(due, now), due)
        if following is None:
            job.status, job.next_run_at = "completed", None
        elif job.expires_at is not None and following > job.expires_at:
            job.status, job.next_run_at = "expired", None
        else:
            job.next_run_at = following

    async def _claim_executions(self, now: datetime, limit: int) -> list[Run]:
        """Pending and retrying executions, and those whose runner's lease expired."""
        runs: list[Run] = []
        async with self.ctx.database.session() as session:
            repo = AutomationRepository(session)
            rows = await repo.claimable(now, limit)
            jobs = await repo.jobs(sorted({r.job_id for r in rows})) if rows else {}
            for row in rows:
                job = jobs.get(row.job_id)
                taken_over = row.status == RUNNING
                if job is None:
                    row.status, row.finished_at, row.error = FAILED, now, "job deleted"
                    continue
                if (
                    taken_over
                    and row.dispatched_at is not None
                    and job.action["type"] == "contract"
                ):
                    row.status, row.finished_at, row.error = FAILED, now, OUTCOME_UNKNOWN
                    row.lease_owner = row.lease_expires_at = None
                    self.telemetry.executions.labels("contract", FAILED).inc()
                    continue
                row.status, row.attempt = RUNNING, row.attempt + 1
                row.lease_owner, row.lease_expires_at = self.ctx.instance_id, self._lease(now)
                row.next_attempt_at = row.dispatched_at = None
                row.started_at = row.started_at or now
                if taken_over:
                    log.info("automation: took over execution %s (attempt %d)", row.id, row.attempt)
                runs.append(Run(_detached(job), _detached_execution(row)))
        return runs

    async def _execute(self, run: Run) -> None:
        execution = run.execution
        started = self.ctx.clock.now()
        if execution.attempt == 1:
            self.telemetry.lag.observe(max((started - execution.scheduled_for).total_seconds(), 0))
        error: ActionFailed | None = None
        result = None
        try:
            result = await self._act(run)
        except ActionFailed as exc:
            error = exc
        await self._finish(run, result, error)

    async def _act(self, run: Run) -> dict[str, object]:
        if run.job.action["type"] == "contract":
            async with self.ctx.database.session() as session:
                held = await AutomationRepository(session).mark_dispatched(
                    run.execution.id, self.ctx.instance_id, self.ctx.clock.now()
                )
            if not held:
                raise ActionFailed("lease lost before dispatch", retryable=True)
            return await actions.invoke_contract(self.ctx, run)
        if run.job.action["type"] == "notification":
            return await actions.notify(self.ctx, run)
        secret = await self.secret(run.job)
        async with self.senders:
            return await actions.call_webhook(self._client(), secret, self.ctx.clock.now(), run)

    async def _finish(
        self, run: Run, result: dict[str, object] | None, error: ActionFailed | None
    ) -> None:
        """Queue the outcome; a flusher writes queued outcomes in one statement per batch (a
        crash before that leaves the lease to expire: the execution is then taken over)."""
        now, attempt = self.ctx.clock.now(), run.execution.attempt
        values: dict[str, Any] = {
            "b_id": run.execution.id,
            "b_status": SUCCEEDED,
            "b_finished_at": now,
            "b_result": result,
            "b_error": None,
            "b_next": None,
        }
        if error is not None and error.retryable and attempt <= run.job.max_retries:
            delay = retry_delay(attempt, self.settings.retry_base_s, self.settings.retry_cap_s)
            values.update(b_status=RETRYING, b_finished_at=None, b_error=error.error)
            values["b_next"] = now + timedelta(seconds=delay)
        elif error is not None:
            values.update(b_status=FAILED, b_error=error.error, b_result=error.result)
        self.telemetry.executions.labels(run.job.action["type"], values["b_status"]).inc()
        self.outcomes.append(values)
        if self.flushing is None or self.flushing.done():
            self.flushing = asyncio.create_task(self._flush(), name="automation.flush")

    async def _flush(self) -> None:
        while self.outcomes:
            batch, self.outcomes = self.outcomes[:FLUSH_BATCH], self.outcomes[FLUSH_BATCH:]
            try:
                async with self.ctx.database.session() as session:
                    await AutomationRepository(session).finish(batch, self.ctx.instance_id)
            except Exception as exc:  # noqa: BLE001 - the leases expire; others take over
                log.warning("automation: %d outcomes not recorded: %r", len(batch), exc)

    def _client(self) -> SafeHttp:
        if self.http is None:
            private = self.private_allowed()
            self.http = SafeHttp(
                Policy(allow_loopback=private, allow_private=private),
                timeout_s=self.settings.action_timeout_s,
                max_bytes=actions.RESPONSE_CAP,
                max_redirects=0,
            )
        return self.http

    async def renew(self) -> None:
        """Extend the leases of the executions this process runs or has yet to record."""
        held = [*self.inflight, *(o["b_id"] for o in self.outcomes)]
        if held:
            until = self._lease(self.ctx.clock.now())
            async with self.ctx.database.session() as session:
                await AutomationRepository(session).renew(held, self.ctx.instance_id, until)

    async def watch(self) -> None:
        """Block-height conditions: a waiting job becomes due once its chain reaches the height;
        price conditions; subscriptions of ended event-triggered jobs are removed."""
        now = self.ctx.clock.now()
        async with self.ctx.database.session() as session:
            repo = AutomationRepository(session)
            pending = list(await repo.waiting())
            waiting = [j for j in pending if j.trigger["type"] == "block"]
            priced = [j for j in pending if j.trigger["type"] == "price"]
            self.telemetry.active.set(await repo.count_active())
        await self.watch_prices(priced)
        await self.release_finished()
        heights: dict[str, int] = {}
        for job in waiting:
            chain = job.trigger["chain"]
            if chain not in heights:
                heights[chain] = await self.ctx.chains.get(chain).height()
            if heights[chain] >= int(job.trigger["height"]):
                async with self.ctx.database.session() as session:
                    await AutomationRepository(session).set_due(job.id, now)

    async def trim(self) -> None:
        async with self.ctx.database.session() as session:
            await AutomationRepository(session).trim(self.settings.history_per_job)


def _detached(job: Job) -> Job:
    """A copy of the job's columns that outlives its session."""
    return Job(**{c.key: getattr(job, c.key) for c in Job.__table__.columns})


def _detached_execution(row: Execution) -> Execution:
    return Execution(**{c.key: getattr(row, c.key) for c in Execution.__table__.columns})


__all__ = ["PENDING", "RETRYING", "RunnerUseCases"]
