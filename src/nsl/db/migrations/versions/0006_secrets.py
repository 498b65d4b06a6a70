"""secrets: secrets, versions, policies, keyring

Revision ID: 0006_secrets
Revises: 0005_keys
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006_secrets"
down_revision = "0005_keys"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "secrets_secrets",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("max_versions", sa.Integer(), nullable=True),
        sa.Column("cas_required", sa.Boolean(), nullable=False),
        sa.Column("rotation_period_days", sa.Integer(), nullable=True),
        sa.Column("rotation_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rotation_announced_version", sa.Integer(), nullable=False),
        sa.Column("custom_metadata", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secrets_secrets")),
        sa.UniqueConstraint("path", name=op.f("uq_secrets_secrets_path")),
    )
    op.create_index(op.f("ix_secrets_secrets_owner_id"), "secrets_secrets", ["owner_id"])
    op.create_index(
        op.f("ix_secrets_secrets_rotation_due_at"), "secrets_secrets", ["rotation_due_at"]
    )
    op.create_table(
        "secrets_versions",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("secret_id", sa.String(26), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("wrapping_key_ref", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("destroyed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secrets_versions")),
        sa.ForeignKeyConstraint(
            ["secret_id"],
            ["secrets_secrets.id"],
            name=op.f("fk_secrets_versions_secret_id_secrets_secrets"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("secret_id", "version", name=op.f("uq_secrets_versions_secret_id")),
        sa.CheckConstraint(
            "destroyed OR (ciphertext IS NOT NULL AND wrapped_key IS NOT NULL)",
            name=op.f("ck_secrets_versions_value_present"),
        ),
    )
    op.create_table(
        "secrets_policies",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("pattern", sa.String(500), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("capabilities", JSON, nullable=False),
        sa.Column("effect", sa.String(8), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secrets_policies")),
    )
    op.create_index("ix_secrets_policies_subject", "secrets_policies", ["subject"])
    op.create_table(
        "secrets_keyring",
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("key_ref", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("purpose", name=op.f("pk_secrets_keyring")),
    )


def downgrade() -> None:
    op.drop_table("secrets_keyring")
    op.drop_index("ix_secrets_policies_subject", table_name="secrets_policies")
    op.drop_table("secrets_policies")
    op.drop_table("secrets_versions")
    op.drop_index(op.f("ix_secrets_secrets_rotation_due_at"), table_name="secrets_secrets")
    op.drop_index(op.f("ix_secrets_secrets_owner_id"), table_name="secrets_secrets")
    op.drop_table("secrets_secrets")
