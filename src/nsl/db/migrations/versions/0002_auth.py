"""principals, API keys, refresh tokens (auth)

Revision ID: 0002_auth
Revises: 0001_core
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_auth"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "auth_principals",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("roles", _json(), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", _ts(), nullable=True),
        sa.Column("totp_secret", sa.LargeBinary(), nullable=True),
        sa.Column("totp_enabled", sa.Boolean(), nullable=False),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_auth_principals"),
        sa.CheckConstraint("kind IN ('user', 'service')", name="ck_auth_principals_kind"),
        sa.UniqueConstraint("name", name="uq_auth_principals_name"),
    )
    op.create_table(
        "auth_api_keys",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("principal_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("roles", _json(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("expires_at", _ts(), nullable=True),
        sa.Column("revoked_at", _ts(), nullable=True),
        sa.Column("last_used_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_auth_api_keys"),
        sa.ForeignKeyConstraint(
            ["principal_id"],
            ["auth_principals.id"],
            name="fk_auth_api_keys_principal_id_auth_principals",
        ),
        sa.UniqueConstraint("hash", name="uq_auth_api_keys_hash"),
    )
    op.create_index("ix_auth_api_keys_principal_id", "auth_api_keys", ["principal_id"])
    op.create_table(
        "auth_refresh_tokens",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("principal_id", sa.String(40), nullable=False),
        sa.Column("api_key_id", sa.String(40), nullable=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("family_id", sa.String(40), nullable=False),
        sa.Column("mfa", sa.Boolean(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("expires_at", _ts(), nullable=False),
        sa.Column("used_at", _ts(), nullable=True),
        sa.Column("revoked_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_auth_refresh_tokens"),
        sa.ForeignKeyConstraint(
            ["principal_id"],
            ["auth_principals.id"],
            name="fk_auth_refresh_tokens_principal_id_auth_principals",
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["auth_api_keys.id"],
            name="fk_auth_refresh_tokens_api_key_id_auth_api_keys",
        ),
        sa.UniqueConstraint("hash", name="uq_auth_refresh_tokens_hash"),
    )
    op.create_index("ix_auth_refresh_tokens_principal_id", "auth_refresh_tokens", ["principal_id"])
    op.create_index("ix_auth_refresh_tokens_api_key_id", "auth_refresh_tokens", ["api_key_id"])
    op.create_index("ix_auth_refresh_tokens_family_id", "auth_refresh_tokens", ["family_id"])


def downgrade() -> None:
    op.drop_table("auth_refresh_tokens")
    op.drop_table("auth_api_keys")
    op.drop_table("auth_principals")
