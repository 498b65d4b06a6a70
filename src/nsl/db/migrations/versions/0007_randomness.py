"""randomness VRF keys and requests

Revision ID: 0007_randomness
Revises: 0006_secrets
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007_randomness"
down_revision = "0006_secrets"
branch_labels = None
depends_on = None


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "randomness_vrf_keys",
        sa.Column("suite", sa.String(64), nullable=False),
        sa.Column("key_ref", sa.String(200), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("suite", name=op.f("pk_randomness_vrf_keys")),
    )
    op.create_table(
        "randomness_requests",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("suite", sa.String(64), nullable=False),
        sa.Column("key_ref", sa.String(200), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("alpha", sa.LargeBinary(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("min_value", sa.String(80), nullable=False),
        sa.Column("max_value", sa.String(80), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("beta", sa.LargeBinary(), nullable=True),
        sa.Column("proof", sa.LargeBinary(), nullable=True),
        sa.Column(
            "values", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("fulfilled_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_randomness_requests")),
        sa.UniqueConstraint("owner_id", "request_id", name=op.f("uq_randomness_requests_owner_id")),
    )
    op.create_index(
        "ix_randomness_requests_status", "randomness_requests", ["status", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_randomness_requests_status", table_name="randomness_requests")
    op.drop_table("randomness_requests")
    op.drop_table("randomness_vrf_keys")
