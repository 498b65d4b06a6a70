"""Auth tables: principals, their API keys and refresh tokens (credentials kept only as hashes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from nsl.db.base import Base, JsonValue, UtcDateTime


class PrincipalRecord(Base):
    """A user or service account with its roles, password hash, lockout and TOTP state."""

    __tablename__ = "auth_principals"
    __table_args__ = (CheckConstraint("kind IN ('user', 'service')", name="kind"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    roles: Mapped[list[str]] = mapped_column(JsonValue)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean)
    failed_logins: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enabled: Mapped[bool] = mapped_column(Boolean)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    token_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"PrincipalRecord(id={self.id!r}, name={self.name!r}, kind={self.kind!r})"


class ApiKeyRecord(Base):
    """An API key: only its SHA-256 hash and a short non-secret prefix are kept."""

    __tablename__ = "auth_api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    principal_id: Mapped[str] = mapped_column(ForeignKey("auth_principals.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    roles: Mapped[list[str] | None] = mapped_column(JsonValue)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"ApiKeyRecord(id={self.id!r}, principal_id={self.principal_id!r})"


class RefreshTokenRecord(Base):
    """One refresh token of a session ("family"); each use rotates it to a new one."""

    __tablename__ = "auth_refresh_tokens"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    principal_id: Mapped[str] = mapped_column(ForeignKey("auth_principals.id"), index=True)
    api_key_id: Mapped[str | None] = mapped_column(ForeignKey("auth_api_keys.id"), index=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[str] = mapped_column(String(40), index=True)
    mfa: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"RefreshTokenRecord(id={self.id!r}, family_id={self.family_id!r})"
