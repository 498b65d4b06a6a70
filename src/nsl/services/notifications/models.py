"""Tables: channels (targets a principal owns; secrets only sealed), templates, topic
subscriptions and notifications (one row per message, with its delivery attempts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nsl.db.base import Base, JsonValue, UtcDateTime


class Channel(Base):
    """Where notifications go. ``config`` holds what may be shown (webhook URL, SMTP host,
    chat id...); ``sealed`` the enclave-sealed JSON of what may not (HMAC secret, a URL that
    carries a token)."""

    __tablename__ = "notifications_channels"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(16))
    config: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    batch_window_s: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Template(Base):
    __tablename__ = "notifications_templates"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(100))
    format: Mapped[str] = mapped_column(String(8))  # text | html
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TopicSubscription(Base):
    """Bus events whose topic matches ``pattern`` become notifications on ``channel_id``."""

    __tablename__ = "notifications_subscriptions"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128), index=True)
    channel_id: Mapped[str] = mapped_column(String(26), index=True)
    pattern: Mapped[str] = mapped_column(String(255))
    template_id: Mapped[str | None] = mapped_column(String(26))
    recipient: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Notification(Base):
    """One message to one channel. ``status``: scheduled (not due yet) is pending with a later
    ``next_attempt_at``; pending, delivered, dead (dead letter)."""

    __tablename__ = "notifications_messages"
    __table_args__ = (
        UniqueConstraint("owner_id", "idempotency_key"),
        Index("ix_notifications_messages_due", "status", "next_attempt_at"),
        Index("ix_notifications_messages_owner", "owner_id", "created_at"),
        Index("ix_notifications_messages_channel", "channel_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128))
    channel_id: Mapped[str] = mapped_column(String(26))
    channel_type: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(8))
    topic: Mapped[str | None] = mapped_column(String(255))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JsonValue)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)  # scheduled time (or creation)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    digest_id: Mapped[str | None] = mapped_column(String(26))  # sent inside this digest
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # in-app inbox
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
