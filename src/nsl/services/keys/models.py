"""Tables: keys (metadata, lifecycle, policy, usage counters) and their versions.

A version names an enclave key by its opaque reference and keeps its public half; no
private material is ever stored here.
"""

from __future__ import annotations

from datetime import datetime

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


class KeyRow(Base):
    __tablename__ = "keys_keys"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(String(128))
    key_type: Mapped[str] = mapped_column(String(16))
    usages: Mapped[list[str]] = mapped_column(JsonValue)
    exportable: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), index=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    current_version: Mapped[int] = mapped_column(Integer)
    min_verify_version: Mapped[int] = mapped_column(Integer)
    rotation_period_days: Mapped[int | None] = mapped_column(Integer)
    next_rotation_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    destroy_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sign_count: Mapped[int] = mapped_column(BigInteger)
    verify_count: Mapped[int] = mapped_column(BigInteger)
    encrypt_count: Mapped[int] = mapped_column(BigInteger)
    decrypt_count: Mapped[int] = mapped_column(BigInteger)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"KeyRow(id={self.id!r}, type={self.key_type!r}, status={self.status!r})"


class VersionRow(Base):
    __tablename__ = "keys_versions"

    key_id: Mapped[str] = mapped_column(ForeignKey("keys_keys.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    enclave_ref: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    destroyed: Mapped[bool] = mapped_column(Boolean)

    def __repr__(self) -> str:
        return f"VersionRow(key_id={self.key_id!r}, version={self.version})"
