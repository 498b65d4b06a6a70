"""contracts: the validity of unconfirmed transactions, and an index to find them

Revision ID: 0010_contracts_validity
Revises: 0009_events
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010_contracts_validity"
down_revision = "0009_events"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TABLES = ("contracts_deployments", "contracts_invocations")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("validity", JSON, nullable=True))
        op.create_index(f"ix_{table}_status", table, ["status", "created_at"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_status", table_name=table)
        op.drop_column(table, "validity")
