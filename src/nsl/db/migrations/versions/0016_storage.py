"""storage: objects, versions, encrypted chunks, uploads, grants, usage and the keyring

Revision ID: 0016_storage
Revises: 0015_automation_event_trigger
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016_storage"
down_revision = "0015_automation_event_trigger"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "storage_objects",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("latest_number", sa.Integer(), nullable=False),
        sa.Column("current_version_id", sa.String(26), nullable=False),
        sa.Column("expires_at", _ts(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_objects")),
        sa.UniqueConstraint("owner_id", "key", name=op.f("uq_storage_objects_owner_id")),
    )
    op.create_index(op.f("ix_storage_objects_expires_at"), "storage_objects", ["expires_at"])
    op.create_table(
        "storage_versions",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("object_id", sa.String(26), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("stored_size", sa.BigInteger(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("chunk_bytes", sa.Integer(), nullable=False),
        sa.Column("compression", sa.String(8), nullable=False),
        sa.Column("content_type", sa.String(255), nullable=False),
        sa.Column("user_metadata", JSON, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("wrapping_key_ref", sa.String(200), nullable=False),
        sa.Column("chunk_store", sa.String(16), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["storage_objects.id"],
            name=op.f("fk_storage_versions_object_id_storage_objects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_versions")),
        sa.UniqueConstraint("object_id", "number", name=op.f("uq_storage_versions_object_id")),
    )
    op.create_table(
        "storage_chunks",
        sa.Column("version_id", sa.String(26), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("version_id", "index", name=op.f("pk_storage_chunks")),
    )
    op.create_table(
        "storage_uploads",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("reserved_bytes", sa.BigInteger(), nullable=False),
        sa.Column("reserved_object", sa.Boolean(), nullable=False),
        sa.Column("chunk_store", sa.String(16), nullable=False),
        sa.Column("started_at", _ts(), nullable=False),
        sa.Column("touched_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_uploads")),
    )
    op.create_index(op.f("ix_storage_uploads_owner_id"), "storage_uploads", ["owner_id"])
    op.create_index(op.f("ix_storage_uploads_touched_at"), "storage_uploads", ["touched_at"])
    op.create_table(
        "storage_grants",
        sa.Column("object_id", sa.String(26), nullable=False),
        sa.Column("grantee_id", sa.String(128), nullable=False),
        sa.Column("access", sa.String(16), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["storage_objects.id"],
            name=op.f("fk_storage_grants_object_id_storage_objects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("object_id", "grantee_id", name=op.f("pk_storage_grants")),
    )
    op.create_index(op.f("ix_storage_grants_grantee_id"), "storage_grants", ["grantee_id"])
    op.create_table(
        "storage_usage",
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("bytes_used", sa.BigInteger(), nullable=False),
        sa.Column("objects_used", sa.Integer(), nullable=False),
        sa.Column("bytes_limit", sa.BigInteger(), nullable=True),
        sa.Column("objects_limit", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("owner_id", name=op.f("pk_storage_usage")),
    )
    op.create_table(
        "storage_keyring",
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("key_ref", sa.String(200), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("purpose", name=op.f("pk_storage_keyring")),
    )


def downgrade() -> None:
    op.drop_table("storage_keyring")
    op.drop_table("storage_usage")
    op.drop_index(op.f("ix_storage_grants_grantee_id"), table_name="storage_grants")
    op.drop_table("storage_grants")
    op.drop_index(op.f("ix_storage_uploads_touched_at"), table_name="storage_uploads")
    op.drop_index(op.f("ix_storage_uploads_owner_id"), table_name="storage_uploads")
    op.drop_table("storage_uploads")
    op.drop_table("storage_chunks")
    op.drop_table("storage_versions")
    op.drop_index(op.f("ix_storage_objects_expires_at"), table_name="storage_objects")
    op.drop_table("storage_objects")
