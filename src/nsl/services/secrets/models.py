"""Tables: secrets (one row per path, with its metadata), their versions (envelope-encrypted
values), path policies, and the one-row keyring naming the enclave wrapping key.

A version's value is ``ciphertext`` (nonce ‖ AES-256-GCM) under a data key stored only
wrapped by the enclave (``wrapped_key``); destroying a version erases both columns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from nsl.db.base import Base, JsonValue, UtcDateTime


class SecretRecord(Base):
    __tablename__ = "secrets_secrets"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    path: Mapped[str] = mapped_column(String(500), unique=True)
    owner_id: Mapped[str] = mapped_column(String(128), index=True)
    current_version: Mapped[int] = mapped_column(Integer)  # 0: metadata only, no data yet
    max_versions: Mapped[int | None] = mapped_column(Integer)  # None: the service default
    cas_required: Mapped[bool] = mapped_column(Boolean)
    rotation_period_days: Mapped[int | None] = mapped_column(Integer)  # None: default; 0: off
    rotation_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    rotation_announced_version: Mapped[int] = mapped_column(Integer)
    custom_metadata: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(128))


class SecretVersionRecord(Base):
    __tablename__ = "secrets_versions"
    __table_args__ = (
        UniqueConstraint("secret_id", "version"),
        CheckConstraint(
            "destroyed OR (ciphertext IS NOT NULL AND wrapped_key IS NOT NULL)",
            name="value_present",
        ),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    secret_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("secrets_secrets.id", ondelete="CASCADE")
    )
    version: Mapped[int] = mapped_column(Integer)
    ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    wrapping_key_ref: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(128))
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    destroyed: Mapped[bool] = mapped_column(Boolean)


class SecretPolicyRecord(Base):
    __tablename__ = "secrets_policies"
    __table_args__ = (Index("ix_secrets_policies_subject", "subject"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    pattern: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(200))
    capabilities: Mapped[list[str]] = mapped_column(JsonValue)
    effect: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(128))


class SecretKeyringRecord(Base):
    """One row per purpose; the primary key makes concurrent first starts agree on one key."""

    __tablename__ = "secrets_keyring"

    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_ref: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
