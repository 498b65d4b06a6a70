"""notifications: channels, templates, topic subscriptions and messages with attempts

Revision ID: 0012_notifications
Revises: 0011_rollout
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012_notifications"
down_revision = "0011_rollout"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notifications_channels",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("batch_window_s", sa.Integer(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications_channels")),
    )
    op.create_index(
        op.f("ix_notifications_channels_owner_id"), "notifications_channels", ["owner_id"]
    )
    op.create_table(
        "notifications_templates",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications_templates")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_notifications_templates_owner_id")),
    )
    op.create_table(
        "notifications_subscriptions",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("channel_id", sa.String(26), nullable=False),
        sa.Column("pattern", sa.String(255), nullable=False),
        sa.Column("template_id", sa.String(26), nullable=True),
        sa.Column("recipient", sa.String(320), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications_subscriptions")),
    )
    op.create_index(
        op.f("ix_notifications_subscriptions_owner_id"),
        "notifications_subscriptions",
        ["owner_id"],
    )
    op.create_index(
        op.f("ix_notifications_subscriptions_channel_id"),
        "notifications_subscriptions",
        ["channel_id"],
    )
    op.create_table(
        "notifications_messages",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("channel_id", sa.String(26), nullable=False),
        sa.Column("channel_type", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("topic", sa.String(255), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("history", JSON, nullable=False),
        sa.Column("due_at", _ts(), nullable=False),
        sa.Column("next_attempt_at", _ts(), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("digest_id", sa.String(26), nullable=True),
        sa.Column("read_at", _ts(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("delivered_at", _ts(), nullable=True),
        sa.Column("dead_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications_messages")),
        sa.UniqueConstraint(
            "owner_id", "idempotency_key", name=op.f("uq_notifications_messages_owner_id")
        ),
    )
    op.create_index(
        "ix_notifications_messages_due", "notifications_messages", ["status", "next_attempt_at"]
    )
    op.create_index(
        "ix_notifications_messages_owner", "notifications_messages", ["owner_id", "created_at"]
    )
    op.create_index(
        "ix_notifications_messages_channel",
        "notifications_messages",
        ["channel_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_messages_channel", table_name="notifications_messages")
    op.drop_index("ix_notifications_messages_owner", table_name="notifications_messages")
    op.drop_index("ix_notifications_messages_due", table_name="notifications_messages")
    op.drop_table("notifications_messages")
    op.drop_index(
        op.f("ix_notifications_subscriptions_channel_id"),
        table_name="notifications_subscriptions",
    )
    op.drop_index(
        op.f("ix_notifications_subscriptions_owner_id"), table_name="notifications_subscriptions"
    )
    op.drop_table("notifications_subscriptions")
    op.drop_table("notifications_templates")
    op.drop_index(op.f("ix_notifications_channels_owner_id"), table_name="notifications_channels")
    op.drop_table("notifications_channels")
