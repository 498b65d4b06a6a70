"""events: subscriptions, cursors, remembered blocks, deliveries, inbox

Revision ID: 0009_events
Revises: 0008_contracts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009_events"
down_revision = "0008_contracts"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "events_subscriptions",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("chain", sa.String(16), nullable=False),
        sa.Column("contract", sa.String(100), nullable=False),
        sa.Column("event_name", sa.String(200), nullable=True),
        sa.Column("filters", JSON, nullable=False),
        sa.Column("confirmations", sa.Integer(), nullable=False),
        sa.Column("start_block", sa.BigInteger(), nullable=False),
        sa.Column("abi", JSON, nullable=True),
        sa.Column("delivery", sa.String(16), nullable=False),
        sa.Column("webhook_url", sa.String(2048), nullable=True),
        sa.Column("webhook_secret_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("inbox_acked", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events_subscriptions")),
    )
    op.create_index(op.f("ix_events_subscriptions_owner_id"), "events_subscriptions", ["owner_id"])
    op.create_index(
        "ix_events_subscriptions_chain_status", "events_subscriptions", ["chain", "status"]
    )
    op.create_table(
        "events_cursors",
        sa.Column("subscription_id", sa.String(26), nullable=False),
        sa.Column("chain", sa.String(16), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(80), nullable=True),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("subscription_id", name=op.f("pk_events_cursors")),
    )
    op.create_index(op.f("ix_events_cursors_chain"), "events_cursors", ["chain"])
    op.create_table(
        "events_blocks",
        sa.Column("chain", sa.String(16), nullable=False),
        sa.Column("number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(80), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain", "number", name=op.f("pk_events_blocks")),
    )
    op.create_table(
        "events_deliveries",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("subscription_id", sa.String(26), nullable=False),
        sa.Column("chain", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_time", _ts(), nullable=True),
        sa.Column("event", JSON, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("history", JSON, nullable=False),
        sa.Column("next_attempt_at", _ts(), nullable=True),
        sa.Column("window_started_at", _ts(), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("delivered_at", _ts(), nullable=True),
        sa.Column("dead_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events_deliveries")),
        sa.UniqueConstraint(
            "subscription_id",
            "event_id",
            "kind",
            name=op.f("uq_events_deliveries_subscription_id"),
        ),
    )
    op.create_index("ix_events_deliveries_due", "events_deliveries", ["status", "next_attempt_at"])
    op.create_index(
        "ix_events_deliveries_chain_block", "events_deliveries", ["chain", "block_number"]
    )
    op.create_index(
        "ix_events_deliveries_subscription",
        "events_deliveries",
        ["subscription_id", "created_at"],
    )
    op.create_table(
        "events_inbox",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("subscription_id", sa.String(26), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("event", JSON, nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_events_inbox")),
        sa.UniqueConstraint(
            "subscription_id", "event_id", "kind", name=op.f("uq_events_inbox_subscription_id")
        ),
    )
    op.create_index("ix_events_inbox_subscription_seq", "events_inbox", ["subscription_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_events_inbox_subscription_seq", table_name="events_inbox")
    op.drop_table("events_inbox")
    op.drop_index("ix_events_deliveries_subscription", table_name="events_deliveries")
    op.drop_index("ix_events_deliveries_chain_block", table_name="events_deliveries")
    op.drop_index("ix_events_deliveries_due", table_name="events_deliveries")
    op.drop_table("events_deliveries")
    op.drop_table("events_blocks")
    op.drop_index(op.f("ix_events_cursors_chain"), table_name="events_cursors")
    op.drop_table("events_cursors")
    op.drop_index("ix_events_subscriptions_chain_status", table_name="events_subscriptions")
    op.drop_index(op.f("ix_events_subscriptions_owner_id"), table_name="events_subscriptions")
    op.drop_table("events_subscriptions")
