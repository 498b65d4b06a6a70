"""enclave items, hash-chained audit log

Revision ID: 0004_enclave
Revises: 0003_configuration
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_enclave"
down_revision = "0003_configuration"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "enclave_items",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key_type", sa.String(16), nullable=True),
        sa.Column("label", sa.String(128), nullable=True),
        sa.Column("purpose", sa.String(128), nullable=False),
        sa.Column("exportable", sa.Boolean(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=True),
        sa.Column("master_id", sa.String(16), nullable=True),
        sa.Column("blob", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enclave_items")),
        sa.UniqueConstraint("label", name=op.f("uq_enclave_items_label")),
    )
    op.create_index(op.f("ix_enclave_items_master_id"), "enclave_items", ["master_id"])
    op.create_table(
        "audit_entries",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(512), nullable=False),
        sa.Column("outcome", sa.String(128), nullable=False),
        sa.Column("data_hash", sa.String(80), nullable=True),
        sa.Column(
            "details", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entries")),
    )
    op.create_index(op.f("ix_audit_entries_recorded_at"), "audit_entries", ["recorded_at"])
    op.create_index(op.f("ix_audit_entries_actor"), "audit_entries", ["actor"])
    op.create_index("ix_audit_entries_service_action", "audit_entries", ["service", "action"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "entry_hash": GENESIS}])


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_index("ix_audit_entries_service_action", table_name="audit_entries")
    op.drop_index(op.f("ix_audit_entries_actor"), table_name="audit_entries")
    op.drop_index(op.f("ix_audit_entries_recorded_at"), table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_index(op.f("ix_enclave_items_master_id"), table_name="enclave_items")
    op.drop_table("enclave_items")
