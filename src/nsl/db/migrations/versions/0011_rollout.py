"""rollout: feature flags, blue/green routes, generation counter and gateway acknowledgements

Revision ID: 0011_rollout
Revises: 0010_contracts_validity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_rollout"
down_revision = "0010_contracts_validity"
branch_labels = None
depends_on = None


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rollout_flags",
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("service", name="pk_rollout_flags"),
    )
    op.create_table(
        "rollout_routes",
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("active", sa.String(8), nullable=False),
        sa.Column("blue_url", sa.String(512), nullable=True),
        sa.Column("blue_version", sa.String(64), nullable=True),
        sa.Column("green_url", sa.String(512), nullable=True),
        sa.Column("green_version", sa.String(64), nullable=True),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("service", name="pk_rollout_routes"),
    )
    op.create_table(
        "rollout_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rollout_generation"),
    )
    op.create_table(
        "rollout_acks",
        sa.Column("instance_id", sa.String(64), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("instance_id", name="pk_rollout_acks"),
    )
    op.create_index("ix_rollout_acks_seen_at", "rollout_acks", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_rollout_acks_seen_at", table_name="rollout_acks")
    for table in ("rollout_acks", "rollout_generation", "rollout_routes", "rollout_flags"):
        op.drop_table(table)
