"""outbox, inbox and leases (adapters)

Revision ID: 0001_core
Revises: None
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "core_outbox",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("headers", _JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("published_at", _TS, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_outbox")),
    )
    op.create_index(
        "ix_core_outbox_pending",
        "core_outbox",
        ["created_at", "id"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "core_inbox",
        sa.Column("consumer", sa.String(255), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("processed_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_core_inbox")),
    )
    op.create_index(op.f("ix_core_inbox_processed_at"), "core_inbox", ["processed_at"])
    op.create_table(
        "core_leases",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("holder", sa.String(255), nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_core_leases")),
    )


def downgrade() -> None:
    op.drop_table("core_leases")
    op.drop_index(op.f("ix_core_inbox_processed_at"), table_name="core_inbox")
    op.drop_table("core_inbox")
    op.drop_index("ix_core_outbox_pending", table_name="core_outbox")
    op.drop_table("core_outbox")
