"""oracle: feeds, nodes, observations, rounds, signatures, requests, usage

Revision ID: 0014_oracle
Revises: 0013_automation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014_oracle"
down_revision = "0013_automation"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "oracle_feeds",
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("decimals", sa.Integer(), nullable=False),
        sa.Column("sources", JSON, nullable=False),
        sa.Column("aggregation", sa.String(16), nullable=False),
        sa.Column("min_sources", sa.Integer(), nullable=False),
        sa.Column("deviation", sa.String(40), nullable=False),
        sa.Column("heartbeat_s", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("last_refusal", JSON, nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_oracle_feeds")),
    )
    op.create_index(op.f("ix_oracle_feeds_owner_id"), "oracle_feeds", ["owner_id"])
    op.create_table(
        "oracle_nodes",
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("n3_key_ref", sa.String(200), nullable=False),
        sa.Column("n3_public_key", sa.LargeBinary(), nullable=False),
        sa.Column("x_key_ref", sa.String(200), nullable=False),
        sa.Column("x_public_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("node_id", name=op.f("pk_oracle_nodes")),
    )
    op.create_table(
        "oracle_observations",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("feed", sa.String(60), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("answer", sa.String(90), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oracle_observations")),
        sa.UniqueConstraint(
            "feed", "round_id", "node_id", name=op.f("uq_oracle_observations_feed")
        ),
    )
    op.create_table(
        "oracle_rounds",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("feed", sa.String(60), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("answer", sa.String(90), nullable=False),
        sa.Column("decimals", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("confidence_low", sa.String(90), nullable=False),
        sa.Column("confidence_high", sa.String(90), nullable=False),
        sa.Column("observations", JSON, nullable=False),
        sa.Column("reports", JSON, nullable=True),
        sa.Column("pushes", JSON, nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("finalized_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oracle_rounds")),
        sa.UniqueConstraint("feed", "round_id", name=op.f("uq_oracle_rounds_feed")),
    )
    op.create_index("ix_oracle_rounds_feed_status", "oracle_rounds", ["feed", "status", "round_id"])
    op.create_table(
        "oracle_signatures",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("round_ref", sa.String(26), nullable=False),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("signatures", JSON, nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oracle_signatures")),
        sa.UniqueConstraint("round_ref", "node_id", name=op.f("uq_oracle_signatures_round_ref")),
    )
    op.create_index(op.f("ix_oracle_signatures_round_ref"), "oracle_signatures", ["round_ref"])
    op.create_table(
        "oracle_requests",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("filter", sa.String(500), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("result", sa.String(4096), nullable=True),
        sa.Column("error", sa.String(300), nullable=True),
        sa.Column("digest", sa.String(64), nullable=True),
        sa.Column("signatures", JSON, nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oracle_requests")),
    )
    op.create_index(op.f("ix_oracle_requests_owner_id"), "oracle_requests", ["owner_id"])
    op.create_table(
        "oracle_usage",
        sa.Column("principal_id", sa.String(128), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("principal_id", "day", name=op.f("pk_oracle_usage")),
    )


def downgrade() -> None:
    for table in (
        "oracle_usage",
        "oracle_requests",
        "oracle_signatures",
        "oracle_rounds",
        "oracle_observations",
        "oracle_nodes",
        "oracle_feeds",
    ):
        op.drop_table(table)
