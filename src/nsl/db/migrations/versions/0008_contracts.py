"""contracts deployments and invocations

Revision ID: 0008_contracts
Revises: 0007_randomness
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_contracts"
down_revision = "0007_randomness"
branch_labels = None
depends_on = None


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _outcome() -> list[sa.Column[Any]]:
    """What the chain said about the transaction (the same in both tables)."""
    return [
        sa.Column("tx_hash", sa.String(66), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("block_hash", sa.String(66), nullable=True),
        sa.Column("state", sa.String(8), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("gas_consumed", sa.BigInteger(), nullable=True),
        sa.Column("fee", sa.String(80), nullable=True),
        sa.Column("error", sa.String(1000), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "contracts_deployments",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("key_id", sa.String(128), nullable=False),
        sa.Column("chain", sa.String(16), nullable=False),
        sa.Column("network", sa.String(16), nullable=False),
        sa.Column("name", sa.String(128), nullable=True),
        sa.Column("address", sa.String(66), nullable=True),
        sa.Column("code_hash", sa.String(80), nullable=False),
        *_outcome(),
        sa.Column("manifest", _json(), nullable=True),
        sa.Column("abi", _json(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts_deployments")),
    )
    op.create_index(
        "ix_contracts_deployments_owner",
        "contracts_deployments",
        ["owner_id", "chain", "created_at"],
    )
    op.create_index(
        "ix_contracts_deployments_address",
        "contracts_deployments",
        ["chain", "network", "address"],
    )
    op.create_table(
        "contracts_invocations",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("key_id", sa.String(128), nullable=False),
        sa.Column("chain", sa.String(16), nullable=False),
        sa.Column("network", sa.String(16), nullable=False),
        sa.Column("contract", sa.String(66), nullable=False),
        sa.Column("method", sa.String(256), nullable=False),
        sa.Column("args", _json(), nullable=False),
        *_outcome(),
        sa.Column("events", _json(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts_invocations")),
    )
    op.create_index(
        "ix_contracts_invocations_contract",
        "contracts_invocations",
        ["chain", "network", "contract", "created_at"],
    )
    op.create_index(
        "ix_contracts_invocations_owner", "contracts_invocations", ["owner_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_contracts_invocations_owner", table_name="contracts_invocations")
    op.drop_index("ix_contracts_invocations_contract", table_name="contracts_invocations")
    op.drop_table("contracts_invocations")
    op.drop_index("ix_contracts_deployments_address", table_name="contracts_deployments")
    op.drop_index("ix_contracts_deployments_owner", table_name="contracts_deployments")
    op.drop_table("contracts_deployments")
