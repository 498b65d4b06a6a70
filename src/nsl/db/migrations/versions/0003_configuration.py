"""configuration entries, versions, schemas

Revision ID: 0003_configuration
Revises: 0002_auth
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_configuration"
down_revision = "0002_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "configuration_entries",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("environment", sa.String(16), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=True),
        sa.Column("value_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(1000), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_configuration_entries")),
        sa.UniqueConstraint(
            "environment", "key", name=op.f("uq_configuration_entries_environment")
        ),
        sa.CheckConstraint(
            "(value_json IS NULL) <> (value_sealed IS NULL)",
            name=op.f("ck_configuration_entries_value_one_form"),
        ),
    )
    op.create_table(
        "configuration_versions",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("environment", sa.String(16), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=True),
        sa.Column("value_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_configuration_versions")),
        sa.UniqueConstraint(
            "environment", "key", "version", name=op.f("uq_configuration_versions_environment")
        ),
    )
    op.create_table(
        "configuration_schemas",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("environment", sa.String(16), nullable=False),
        sa.Column("prefix", sa.String(255), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_configuration_schemas")),
        sa.UniqueConstraint(
            "environment", "prefix", name=op.f("uq_configuration_schemas_environment")
        ),
    )


def downgrade() -> None:
    op.drop_table("configuration_schemas")
    op.drop_table("configuration_versions")
    op.drop_table("configuration_entries")
