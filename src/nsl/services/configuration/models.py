"""Tables: entries (current value per environment and key), their versions, JSON Schemas by prefix.

A value is stored in exactly one form: ``value_json`` (plain JSON text) or ``value_sealed``
(AES-256-GCM, for secrets). Version rows of deletions carry neither.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from nsl.db.base import Base, JsonValue, UtcDateTime


class ConfigurationEntry(Base):
    __tablename__ = "configuration_entries"
    __table_args__ = (
        UniqueConstraint("environment", "key"),
        CheckConstraint("(value_json IS NULL) <> (value_sealed IS NULL)", name="value_one_form"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    environment: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(255))
    value_json: Mapped[str | None] = mapped_column(Text)
    value_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    secret: Mapped[bool] = mapped_column(Boolean)
    read_only: Mapped[bool] = mapped_column(Boolean)
    description: Mapped[str] = mapped_column(String(1000))
    scope: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(128))

    # Updates and deletes match the version read, so a concurrent writer's change is never lost.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class ConfigurationVersion(Base):
    __tablename__ = "configuration_versions"
    __table_args__ = (UniqueConstraint("environment", "key", "version"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    environment: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    value_json: Mapped[str | None] = mapped_column(Text)
    value_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    secret: Mapped[bool] = mapped_column(Boolean)
    deleted: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    changed_by: Mapped[str] = mapped_column(String(128))


class ConfigurationSchema(Base):
    __tablename__ = "configuration_schemas"
    __table_args__ = (UniqueConstraint("environment", "prefix"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    environment: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(255))
    document: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(128))
