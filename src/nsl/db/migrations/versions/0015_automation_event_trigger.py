"""automation: contract-event triggers (the job's events subscription, the execution's event)

Revision ID: 0015_automation_event_trigger
Revises: 0014_oracle
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_automation_event_trigger"
down_revision = "0014_oracle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("automation_jobs", sa.Column("event_subscription_id", sa.String(26)))
    op.create_index(
        op.f("ix_automation_jobs_event_subscription_id"),
        "automation_jobs",
        ["event_subscription_id"],
        unique=True,
    )
    op.add_column("automation_executions", sa.Column("event_id", sa.String(200)))
    op.create_index(
        "ix_automation_executions_event",
        "automation_executions",
        ["job_id", "event_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_automation_executions_event", table_name="automation_executions")
    op.drop_column("automation_executions", "event_id")
    op.drop_index(op.f("ix_automation_jobs_event_subscription_id"), table_name="automation_jobs")
    op.drop_column("automation_jobs", "event_subscription_id")
