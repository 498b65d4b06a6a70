"""Use cases on jobs: create (the job's secret is returned this once), read, list, update,
pause, resume, cancel and the execution history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nsl.core.ids import new_id
from nsl.core.security import Principal
from nsl.services.automation import rules, schedule, signing
from nsl.services.automation.base import seal_context, sees_all
from nsl.services.automation.errors import InvalidInput, QuotaExceeded, WrongState
from nsl.services.automation.eventtrigger import EventTriggerUseCases
from nsl.services.automation.models import Job
from nsl.services.automation.repository import AutomationRepository
from nsl.services.automation.schemas import CreateJob, UpdateJob
from nsl.services.automation.views import execution_view, job_view, page

EDITABLE = ("active", "paused")
MAX_RETRIES = 10
MAX_EXECUTIONS = 10**9


def first_due(trigger: dict[str, Any], now: datetime) -> datetime | None:
    """When a new (or resumed, or changed) job is first due; None: it waits on a condition."""
    if trigger["type"] in schedule.TIME_TRIGGERS:
        return schedule.after(trigger, now, None)
    return None


class JobUseCases(EventTriggerUseCases):
    async def create(self, body: CreateJob, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("create"):
            now = self.ctx.clock.now()
            row = Job(
                id=new_id(),
                owner_id=principal.id,
                owner={
                    "name": principal.name,
                    "kind": principal.kind,
                    "roles": sorted(r.value for r in principal.roles),
                },
                name=body.name,
                status="active",
                executions=0,
                created_at=now,
                updated_at=now,
            )
            self._define(row, body, now)
            await self.check_feed(row.trigger)
            await self._check_quota(principal)
            secret = signing.new_secret()  # sealed before the transaction: no enclave call in it
            row.secret_sealed = await self.ctx.enclave.seal(seal_context(row.id), secret.encode())
            await self.subscribe_job(row)
            try:
                async with self.ctx.database.session() as session:
                    AutomationRepository(session).add(row)
            except BaseException:
                await self.release(row)  # no job: its subscription goes too
                raise
            return {**job_view(row), "secret": secret}

    def _define(self, row: Job, body: CreateJob, now: datetime) -> None:
        row.trigger = rules.trigger(body.trigger, now)
        row.action = rules.action(body.action, self.private_allowed(), set(self.ctx.services))
        row.expires_at = rules.expiry(body.expires_at, now)
        row.max_executions = rules.limit(body.max_executions, "max_executions", 1, MAX_EXECUTIONS)
        row.max_retries = rules.limit(body.max_retries, "max_retries", 0, MAX_RETRIES) or 0
        row.next_run_at = first_due(row.trigger, now) if row.status == "active" else None

    async def _check_quota(self, principal: Principal) -> None:
        async with self.ctx.database.session() as session:
            owned = await AutomationRepository(session).count_owned(principal.id)
        if owned >= self.settings.max_jobs:
            raise QuotaExceeded(f"you already hold {self.settings.max_jobs} jobs")

    async def get(self, job_id: str, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("get"), self.ctx.database.session() as session:
            return job_view(await self.owned(AutomationRepository(session), job_id, principal))

    async def list_jobs(
        self, *, principal: Principal, status: str | None, page_number: int, page_size: int
    ) -> dict[str, Any]:
        async with self.operation("list"):
            offset = rules.paging(page_number, page_size)
            status = rules.one_of(status, rules.STATUSES, "status")
            owner = None if sees_all(principal) else principal.id
            async with self.ctx.database.session() as session:
                total, rows = await AutomationRepository(session).listing(
                    owner, status, offset, page_size
                )
                items = [job_view(r) for r in rows]
            return page(items, total, page_number, page_size)

    async def update(
        self, job_id: str, body: CreateJob | UpdateJob, *, principal: Principal
    ) -> dict[str, Any]:
        """Replace (PUT: a full definition) or change (PATCH: the fields given) a job."""
        async with self.operation("update"), self.ctx.database.session() as session:
            repo = AutomationRepository(session)
            await self.owned(repo, job_id, principal)
            row = await repo.job(job_id, lock=True)
            assert row is not None
            if row.status not in EDITABLE:
                raise WrongState(f"a {row.status} job cannot be changed")
            now = self.ctx.clock.now()
            given = body.model_dump(exclude_unset=isinstance(body, UpdateJob))
            merged = CreateJob(
                name=given.get("name") or row.name,
                trigger=given.get("trigger") or row.trigger,
                action=given.get("action") or row.action,
                expires_at=given.get("expires_at", row.expires_at),
                max_executions=given.get("max_executions", row.max_executions),
                max_retries=given.get("max_retries", row.max_retries),
            )
            timing = "trigger" in given or "expires_at" in given
            row.name = merged.name
            due, before = row.next_run_at, dict(row.trigger)
            self._define(row, merged, now)
            fresh = row.trigger
            if before["type"] == fresh["type"] == "event" and fresh["confirmations"] is None:
                fresh["confirmations"] = before["confirmations"]  # the default it was given
            if "event" in (before["type"], row.trigger["type"]) and row.trigger != before:
                raise InvalidInput.on(
                    "trigger", "event_fixed", "an event trigger is not changed: make a new job"
                )
            await self.check_feed(row.trigger)
            if not timing and row.status == "active":
                row.next_run_at = due  # keep the schedule when only the action or limits change
            row.updated_at = now
            return job_view(row)

    async def set_status(self, job_id: str, target: str, *, principal: Principal) -> dict[str, Any]:
        """Pause (no new due times), resume (due again from now) or cancel (for good; an
        event trigger's subscription is removed then, or by the next ``watch`` round)."""
        view = await self._set_status(job_id, target, principal=principal)
        if view["status"] == "cancelled" and view["event_subscription_id"] is not None:
            async with self.ctx.database.session() as session:
                row = await AutomationRepository(session).job(job_id)
            if row is not None and await self.release(row):
                view["event_subscription_id"] = None
        return view

    async def _set_status(
        self, job_id: str, target: str, *, principal: Principal
    ) -> dict[str, Any]:
        async with self.operation(target), self.ctx.database.session() as session:
            repo = AutomationRepository(session)
            await self.owned(repo, job_id, principal)
            row = await repo.job(job_id, lock=True)
            assert row is not None
            now = self.ctx.clock.now()
            allowed = {"pause": ("active",), "resume": ("paused",), "cancel": EDITABLE}[target]
            if row.status not in allowed:
                raise WrongState(f"a {row.status} job cannot be {target}d")
            if target == "pause":
                row.status, row.next_run_at = "paused", None
            elif target == "resume":
                row.status, row.next_run_at = "active", first_due(row.trigger, now)
            else:
                row.status, row.next_run_at = "cancelled", None
                await repo.cancel_open(row.id, now)
            row.updated_at = now
            return job_view(row)

    async def executions(
        self,
        job_id: str,
        *,
        principal: Principal,
        status: str | None,
        page_number: int,
        page_size: int,
    ) -> dict[str, Any]:
        async with self.operation("executions"):
            offset = rules.paging(page_number, page_size)
            status = rules.one_of(status, rules.EXECUTION_STATUSES, "status")
            async with self.ctx.database.session() as session:
                repo = AutomationRepository(session)
                await self.owned(repo, job_id, principal)
                total, rows = await repo.history(job_id, status, offset, page_size)
                items = [execution_view(r) for r in rows]
            return page(items, total, page_number, page_size)
