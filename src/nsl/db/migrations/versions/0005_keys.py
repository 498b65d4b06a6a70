"""keys and key versions

Revision ID: 0005_keys
Revises: 0004_enclave
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_keys"
down_revision = "0004_enclave"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "keys_keys",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("owner_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(128), nullable=True),
        sa.Column("key_type", sa.String(16), nullable=False),
        sa.Column("usages", _json(), nullable=False),
        sa.Column("exportable", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revoked_reason", sa.String(500), nullable=True),
        sa.Column("revoked_at", _ts(), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("min_verify_version", sa.Integer(), nullable=False),
        sa.Column("rotation_period_days", sa.Integer(), nullable=True),
        sa.Column("next_rotation_at", _ts(), nullable=True),
        sa.Column("expires_at", _ts(), nullable=True),
        sa.Column("deleted_at", _ts(), nullable=True),
        sa.Column("destroy_at", _ts(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("verify_count", sa.BigInteger(), nullable=False),
        sa.Column("encrypt_count", sa.BigInteger(), nullable=False),
        sa.Column("decrypt_count", sa.BigInteger(), nullable=False),
        sa.Column("last_used_at", _ts(), nullable=True),
        sa.Column("rate_limit_per_minute", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_keys_keys"),
        sa.UniqueConstraint("owner_id", "name", name="uq_keys_keys_owner_id"),
    )
    op.create_index("ix_keys_keys_status", "keys_keys", ["status"])
    op.create_index("ix_keys_keys_next_rotation_at", "keys_keys", ["next_rotation_at"])
    op.create_table(
        "keys_versions",
        sa.Column("key_id", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("enclave_ref", sa.String(200), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("destroyed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", "version", name="pk_keys_versions"),
        sa.ForeignKeyConstraint(
            ["key_id"], ["keys_keys.id"], name="fk_keys_versions_key_id_keys_keys"
        ),
    )


def downgrade() -> None:
    op.drop_table("keys_versions")
    op.drop_index("ix_keys_keys_next_rotation_at", table_name="keys_keys")
    op.drop_index("ix_keys_keys_status", table_name="keys_keys")
    op.drop_table("keys_keys")
