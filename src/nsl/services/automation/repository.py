"""The only module that queries the automation tables. Claims lock rows with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so replicas claim disjoint rows; SQLite (one
process) serializes writers and ignores the clause."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.adapters.sqlutil import insert_if_absent
from nsl.services.automation.models import Execution, Job

PENDING, RUNNING, RETRYING = "pending", "running", "retrying"
SUCCEEDED, FAILED, CANCELLED = "succeeded", "failed", "cancelled"
FINISHED = (SUCCEEDED, FAILED, CANCELLED)


class AutomationRepository:
    """Queries on one session (one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    # jobs ------------------------------------------------------------------------------
    def add(self, row: Job) -> None:
        self.session.add(row)

    async def job(self, job_id: str, *, lock: bool = False) -> Job | None:
        if not lock:
            return await self.session.get(Job, job_id)
        query = select(Job).where(Job.id == job_id).with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def jobs(self, ids: list[str]) -> dict[str, Job]:
        rows = (await self.session.scalars(select(Job).where(Job.id.in_(ids)))).all()
        return {row.id: row for row in rows}

    async def count_owned(self, owner_id: str) -> int:
        """The owner's jobs that may still run (active or paused)."""
        query = (
            select(func.count())
            .select_from(Job)
            .where(Job.owner_id == owner_id, Job.status.in_(("active", "paused")))
        )
        return int((await self.session.execute(query)).scalar_one())

    async def count_active(self) -> int:
        query = select(func.count()).select_from(Job).where(Job.status == "active")
        return int((await self.session.execute(query)).scalar_one())

    async def listing(
        self, owner_id: str | None, status: str | None, offset: int, limit: int
    ) -> tuple[int, Sequence[Job]]:
        """A page of jobs (newest first): the owner's, or everyone's when ``owner_id`` is None."""
        conditions = []
        if owner_id is not None:
            conditions.append(Job.owner_id == owner_id)
        if status is not None:
            conditions.append(Job.status == status)
        total = await self.session.scalar(select(func.count()).select_from(Job).where(*conditions))
        query = (
            select(Job)
            .where(*conditions)
            .order_by(Job.created_at.desc(), Job.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return int(total or 0), (await self.session.scalars(query)).all()

    async def due_jobs(self, now: datetime, limit: int) -> Sequence[Job]:
        """Active jobs due by ``now``, locked; rows another replica holds are skipped."""
        query = (
            select(Job)
            .where(Job.status == "active", Job.next_run_at <= now)
            .order_by(Job.next_run_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(query)).all()

    async def waiting(self) -> Sequence[Job]:
        """Active jobs waiting on a condition (no due time yet)."""
        query = select(Job).where(Job.status == "active", Job.next_run_at.is_(None))
        return (await self.session.scalars(query)).all()

    async def set_due(self, job_id: str, at: datetime) -> bool:
        """Make a waiting job due at ``at``; false when another replica did first."""
        connection = await self.session.connection()
        result = await connection.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "active", Job.next_run_at.is_(None))
            .values(next_run_at=at)
        )
        return bool(result.rowcount == 1)

    # event triggers --------------------------------------------------------------------
    async def job_by_subscription(self, subscription_id: str) -> Job | None:
        """The job holding this events subscription, locked (its events queue one by one)."""
        query = select(Job).where(Job.event_subscription_id == subscription_id).with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def subscribed(self, statuses: tuple[str, ...]) -> Sequence[Job]:
        query = select(Job).where(Job.status.in_(statuses), Job.event_subscription_id.is_not(None))
        return (await self.session.scalars(query)).all()

    async def forget_subscription(self, job_id: str) -> None:
        connection = await self.session.connection()
        await connection.execute(
            update(Job).where(Job.id == job_id).values(event_subscription_id=None)
        )

    async def expire_waiting(self, now: datetime) -> None:
        """Event-triggered jobs past their end expire though no event came."""
        connection = await self.session.connection()
        await connection.execute(
            update(Job)
            .where(
                Job.status.in_(("active", "paused")),
                Job.event_subscription_id.is_not(None),
                Job.expires_at < now,
            )
            .values(status="expired", next_run_at=None, updated_at=now)
        )

    async def has_event(self, job_id: str, event_id: str) -> bool:
        query = select(Execution.id).where(
            Execution.job_id == job_id, Execution.event_id == event_id
        )
        return (await self.session.scalar(query)) is not None

    async def cancel_event(self, job_id: str, event_id: str, now: datetime) -> None:
        """A retracted event's execution is cancelled unless an attempt has started."""
        connection = await self.session.connection()
        await connection.execute(
            update(Execution)
            .where(
                Execution.job_id == job_id,
                Execution.event_id == event_id,
                Execution.status == PENDING,
                Execution.attempt == 0,
            )
            .values(status=CANCELLED, finished_at=now, next_attempt_at=None, error="retracted")
        )

    # executions ------------------------------------------------------------------------
    async def add_execution(self, **values: Any) -> bool:
        """Insert unless this (job, due time) exists: whether it was inserted."""
        return await insert_if_absent(self.session, self.dialect, Execution, **values)

    async def add_executions(self, rows: list[dict[str, Any]]) -> set[str]:
        """Insert those whose (job, due time) is new, in one statement: the inserted ids."""
        if not rows:
            return set()
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        statement = insert(Execution).values(rows).on_conflict_do_nothing()
        connection = await self.session.connection()
        result = await connection.execute(statement.returning(Execution.id))
        return set(result.scalars().all())

    async def claimable(self, now: datetime, limit: int) -> Sequence[Execution]:
        """Pending or retrying executions due by ``now`` and running ones whose lease expired,
        locked; rows another replica holds are skipped."""
        query = (
            select(Execution)
            .where(
                or_(
                    and_(
                        Execution.status.in_((PENDING, RETRYING)), Execution.next_attempt_at <= now
                    ),
                    and_(Execution.status == RUNNING, Execution.lease_expires_at < now),
                )
            )
            .order_by(Execution.scheduled_for)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(query)).all()

    async def execution(self, execution_id: str) -> Execution | None:
        return await self.session.get(Execution, execution_id)

    async def finish(self, outcomes: list[dict[str, Any]], owner: str) -> None:
        """Record attempts' outcomes (``b_id``, ``b_status``, ``b_finished_at``, ``b_result``,
        ``b_error``, ``b_next``) in one statement, on rows whose lease ``owner`` still holds."""
        statement = (
            update(Execution)
            .where(
                Execution.id == bindparam("b_id"),
                Execution.lease_owner == owner,
                Execution.status == RUNNING,
            )
            .values(
                status=bindparam("b_status"),
                finished_at=bindparam("b_finished_at"),
                result=bindparam("b_result"),
                error=bindparam("b_error"),
                next_attempt_at=bindparam("b_next"),
                lease_owner=None,
                lease_expires_at=None,
            )
        )
        connection = await self.session.connection()
        await connection.execute(statement, outcomes)

    async def mark_dispatched(self, execution_id: str, owner: str, at: datetime) -> bool:
        connection = await self.session.connection()
        result = await connection.execute(
            update(Execution)
            .where(Execution.id == execution_id, Execution.lease_owner == owner)
            .values(dispatched_at=at)
        )
        return bool(result.rowcount == 1)

    async def renew(self, ids: list[str], owner: str, until: datetime) -> None:
        connection = await self.session.connection()
        await connection.execute(
            update(Execution)
            .where(
                Execution.id.in_(ids), Execution.lease_owner == owner, Execution.status == RUNNING
            )
            .values(lease_expires_at=until)
        )

    async def cancel_open(self, job_id: str, now: datetime) -> None:
        """Executions of a cancelled job that have not started an attempt are cancelled."""
        connection = await self.session.connection()
        await connection.execute(
            update(Execution)
            .where(Execution.job_id == job_id, Execution.status.in_((PENDING, RETRYING)))
            .values(status=CANCELLED, finished_at=now, next_attempt_at=None)
        )

    async def history(
        self, job_id: str, status: str | None, offset: int, limit: int
    ) -> tuple[int, Sequence[Execution]]:
        conditions = [Execution.job_id == job_id]
        if status is not None:
            conditions.append(Execution.status == status)
        total = await self.session.scalar(
            select(func.count()).select_from(Execution).where(*conditions)
        )
        query = (
            select(Execution)
            .where(*conditions)
            .order_by(Execution.scheduled_for.desc(), Execution.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return int(total or 0), (await self.session.scalars(query)).all()

    async def trim(self, keep: int) -> int:
        """Delete finished executions past the newest ``keep`` of each job."""
        ranked = select(
            Execution.id,
            func.row_number()
            .over(partition_by=Execution.job_id, order_by=Execution.scheduled_for.desc())
            .label("rank"),
        ).subquery()
        old = select(ranked.c.id).where(ranked.c.rank > keep)
        connection = await self.session.connection()
        result = await connection.execute(
            delete(Execution).where(Execution.id.in_(old), Execution.status.in_(FINISHED))
        )
        return int(result.rowcount)
