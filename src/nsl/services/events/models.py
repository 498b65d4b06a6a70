"""Tables: subscriptions, their cursors, remembered block hashes per chain (reorg detection),
deliveries (one row per event and kind per subscription, with attempt history) and inbox
entries for polling subscribers.

A webhook's HMAC secret is stored only sealed by the enclave (``webhook_secret_sealed``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from nsl.db.base import Base, JsonValue, UtcDateTime

# SQLite assigns row ids only to an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
SEQUENCE = BigInteger().with_variant(Integer(), "sqlite")


class Subscription(Base):
    __tablename__ = "events_subscriptions"
    __table_args__ = (Index("ix_events_subscriptions_chain_status", "chain", "status"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128), index=True)
    chain: Mapped[str] = mapped_column(String(16))
    contract: Mapped[str] = mapped_column(String(100))
    event_name: Mapped[str | None] = mapped_column(String(200))
    filters: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    confirmations: Mapped[int] = mapped_column(Integer)
    start_block: Mapped[int] = mapped_column(BigInteger)
    abi: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonValue)
    delivery: Mapped[str] = mapped_column(String(16))  # webhook | bus | inbox
    webhook_url: Mapped[str | None] = mapped_column(String(2048))
    webhook_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16))  # active | paused
    description: Mapped[str] = mapped_column(String(500))
    inbox_acked: Mapped[int] = mapped_column(BigInteger)  # inbox entries up to this seq are gone
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Cursor(Base):
    """The last block a subscription processed; moved with the deliveries it produced."""

    __tablename__ = "events_cursors"

    subscription_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    chain: Mapped[str] = mapped_column(String(16), index=True)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SeenBlock(Base):
    """A recently processed block's hash: a later mismatch means it was orphaned."""

    __tablename__ = "events_blocks"

    chain: Mapped[str] = mapped_column(String(16), primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(80))
    timestamp: Mapped[int] = mapped_column(BigInteger)


class Delivery(Base):
    """One event (``kind=event``) or retraction notice (``kind=retracted``) for a subscriber.

    ``status``: pending (webhook not yet accepted), delivered, dead (dead letter), cancelled
    (retracted before it was delivered)."""

    __tablename__ = "events_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", "kind"),
        Index("ix_events_deliveries_due", "status", "next_attempt_at"),
        Index("ix_events_deliveries_chain_block", "chain", "block_number"),
        Index("ix_events_deliveries_subscription", "subscription_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(String(26))
    chain: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    retracted: Mapped[bool] = mapped_column(Boolean)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_time: Mapped[datetime | None] = mapped_column(UtcDateTime)
    event: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    attempts: Mapped[int] = mapped_column(Integer)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JsonValue)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    window_started_at: Mapped[datetime] = mapped_column(UtcDateTime)  # for the max age
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class InboxEntry(Base):
    """What an ``inbox`` subscriber polls, in ``seq`` order."""

    __tablename__ = "events_inbox"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", "kind"),
        Index("ix_events_inbox_subscription_seq", "subscription_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(SEQUENCE, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(String(26))
    event_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    retracted: Mapped[bool] = mapped_column(Boolean)
    block_number: Mapped[int] = mapped_column(BigInteger)
    event: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
