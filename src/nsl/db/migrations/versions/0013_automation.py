"""automation: jobs and their executions (one per job and due time)

Revision ID: 0013_automation
Revises: 0012_notifications
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013_automation"
down_revision = "0012_notifications"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "automation_jobs",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("owner", JSON, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("trigger", JSON, nullable=False),
        sa.Column("action", JSON, nullable=False),
        sa.Column("secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("next_run_at", _ts(), nullable=True),
        sa.Column("expires_at", _ts(), nullable=True),
        sa.Column("max_executions", sa.Integer(), nullable=True),
        sa.Column("executions", sa.Integer(), nullable=False),
        sa.Column("max_retries", sa.Integer(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_jobs")),
    )
    op.create_index(op.f("ix_automation_jobs_owner_id"), "automation_jobs", ["owner_id"])
    op.create_index("ix_automation_jobs_due", "automation_jobs", ["status", "next_run_at"])
    op.create_table(
        "automation_executions",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("job_id", sa.String(26), nullable=False),
        sa.Column("scheduled_for", _ts(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_expires_at", _ts(), nullable=True),
        sa.Column("next_attempt_at", _ts(), nullable=True),
        sa.Column("dispatched_at", _ts(), nullable=True),
        sa.Column("started_at", _ts(), nullable=True),
        sa.Column("finished_at", _ts(), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("result", JSON, nullable=True),
        sa.Column("context", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_executions")),
        sa.UniqueConstraint(
            "job_id", "scheduled_for", name=op.f("uq_automation_executions_job_id")
        ),
    )
    op.create_index(
        "ix_automation_executions_claim", "automation_executions", ["status", "next_attempt_at"]
    )
    op.create_index(
        "ix_automation_executions_lease", "automation_executions", ["status", "lease_expires_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_automation_executions_lease", table_name="automation_executions")
    op.drop_index("ix_automation_executions_claim", table_name="automation_executions")
    op.drop_table("automation_executions")
    op.drop_index("ix_automation_jobs_due", table_name="automation_jobs")
    op.drop_index(op.f("ix_automation_jobs_owner_id"), table_name="automation_jobs")
    op.drop_table("automation_jobs")
