"""Tables: jobs (trigger, action, schedule state) and their executions, one row per job and
due time (``UNIQUE (job_id, scheduled_for)``: the idempotency key that makes a due time run
once across replicas; an event trigger's execution is also unique per chain event), with the
lease of the process running it.

A job's HMAC secret (webhook trigger and webhook action) is stored only sealed by the enclave.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nsl.db.base import Base, JsonValue, UtcDateTime


class Job(Base):
    """``status``: active, paused, cancelled, completed (one-shot fired or max executions
    reached) or expired. ``next_run_at`` is the next due time (None: waiting on a condition)."""

    __tablename__ = "automation_jobs"
    __table_args__ = (Index("ix_automation_jobs_due", "status", "next_run_at"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128), index=True)
    owner: Mapped[dict[str, Any]] = mapped_column(JsonValue)  # name, kind, roles at creation
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    action: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    next_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    max_executions: Mapped[int | None] = mapped_column(Integer)
    executions: Mapped[int] = mapped_column(Integer)  # due times claimed so far
    max_retries: Mapped[int] = mapped_column(Integer)
    event_subscription_id: Mapped[str | None] = mapped_column(String(26), index=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Execution(Base):
    """``status``: pending (to be claimed), running (leased to ``lease_owner`` until
    ``lease_expires_at``), retrying (after a failed attempt, from ``next_attempt_at``),
    succeeded or failed. ``dispatched_at``: the current attempt handed its action over."""

    __tablename__ = "automation_executions"
    __table_args__ = (
        UniqueConstraint("job_id", "scheduled_for"),
        Index("ix_automation_executions_event", "job_id", "event_id", unique=True),
        Index("ix_automation_executions_claim", "status", "next_attempt_at"),
        Index("ix_automation_executions_lease", "status", "lease_expires_at"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(26))
    scheduled_for: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(Integer)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)
    context: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)  # e.g. webhook payload
    event_id: Mapped[str | None] = mapped_column(String(200))  # event triggers: the chain event
