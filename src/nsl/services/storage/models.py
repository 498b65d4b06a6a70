"""Tables: objects (owner + key), their versions, encrypted chunks (database store), uploads in
progress, grants to other principals, per-owner usage and quotas, and the wrapping-key row.

A version's chunks are AES-256-GCM under a data key stored only wrapped by the enclave.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from nsl.db.base import Base, JsonValue, UtcDateTime


class StorageObject(Base):
    __tablename__ = "storage_objects"
    __table_args__ = (UniqueConstraint("owner_id", "key"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(1024))
    latest_number: Mapped[int] = mapped_column(Integer)  # the last version number handed out
    current_version_id: Mapped[str] = mapped_column(String(26))
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StorageVersion(Base):
    __tablename__ = "storage_versions"
    __table_args__ = (UniqueConstraint("object_id", "number"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    object_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("storage_objects.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(BigInteger)  # plaintext bytes
    stored_size: Mapped[int] = mapped_column(BigInteger)  # bytes in the chunk store
    chunk_count: Mapped[int] = mapped_column(Integer)
    chunk_bytes: Mapped[int] = mapped_column(Integer)
    compression: Mapped[str] = mapped_column(String(8))  # none | zstd
    content_type: Mapped[str] = mapped_column(String(255))
    user_metadata: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    sha256: Mapped[str] = mapped_column(String(64))
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    wrapping_key_ref: Mapped[str] = mapped_column(String(200))
    chunk_store: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(128))


class StorageChunk(Base):
    """One encrypted chunk in the database chunk store: ``nonce ‖ ciphertext ‖ tag``."""

    __tablename__ = "storage_chunks"

    version_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class StorageUpload(Base):
    """An upload in progress: what it has reserved, so a crash or abort can give it back."""

    __tablename__ = "storage_uploads"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)  # the future version id
    owner_id: Mapped[str] = mapped_column(String(128), index=True)
    key: Mapped[str] = mapped_column(String(1024))
    reserved_bytes: Mapped[int] = mapped_column(BigInteger)
    reserved_object: Mapped[bool] = mapped_column(Boolean)
    chunk_store: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    touched_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class StorageGrant(Base):
    __tablename__ = "storage_grants"

    object_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("storage_objects.id", ondelete="CASCADE"), primary_key=True
    )
    grantee_id: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    access: Mapped[str] = mapped_column(String(16))  # read | read-write
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(128))


class StorageUsage(Base):
    """Per-owner usage; a NULL limit means the settings' default."""

    __tablename__ = "storage_usage"

    owner_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    bytes_used: Mapped[int] = mapped_column(BigInteger)
    objects_used: Mapped[int] = mapped_column(Integer)
    bytes_limit: Mapped[int | None] = mapped_column(BigInteger)
    objects_limit: Mapped[int | None] = mapped_column(Integer)


class StorageKeyring(Base):
    """One row per purpose; the primary key makes concurrent first starts agree on one key."""

    __tablename__ = "storage_keyring"

    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_ref: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
