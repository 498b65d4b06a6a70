"""Tables: feeds, this cluster's nodes and their enclave keys, node observations, rounds
(proposed, then final with a quorum of signatures), report signatures, requests and usage.

Values are decimal text (``Decimal``) and on-chain answers integer text: never floats.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nsl.db.base import Base, JsonValue, UtcDateTime


class OracleFeed(Base):
    __tablename__ = "oracle_feeds"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128), index=True)
    description: Mapped[str] = mapped_column(String(500))
    decimals: Mapped[int] = mapped_column(Integer)
    sources: Mapped[list[Any]] = mapped_column(JsonValue)
    aggregation: Mapped[str] = mapped_column(String(16))
    min_sources: Mapped[int] = mapped_column(Integer)
    deviation: Mapped[str] = mapped_column(String(40))
    heartbeat_s: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # active | paused
    last_refusal: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OracleNode(Base):
    """A node's signing keys: enclave references (the private halves stay in the enclave)."""

    __tablename__ = "oracle_nodes"

    node_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    n3_key_ref: Mapped[str] = mapped_column(String(200))
    n3_public_key: Mapped[bytes] = mapped_column(LargeBinary)
    x_key_ref: Mapped[str] = mapped_column(String(200))
    x_public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OracleObservation(Base):
    """One node's signed observation of a feed for a round, with its sources' outcomes."""

    __tablename__ = "oracle_observations"
    __table_args__ = (UniqueConstraint("feed", "round_id", "node_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    feed: Mapped[str] = mapped_column(String(60))
    round_id: Mapped[int] = mapped_column(BigInteger)
    node_id: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    answer: Mapped[str] = mapped_column(String(90))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OracleRound(Base):
    """A report: ``proposed`` (median of node observations) then ``final`` with its quorum."""

    __tablename__ = "oracle_rounds"
    __table_args__ = (
        UniqueConstraint("feed", "round_id"),
        Index("ix_oracle_rounds_feed_status", "feed", "status", "round_id"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    feed: Mapped[str] = mapped_column(String(60))
    round_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str] = mapped_column(String(90))
    decimals: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[int] = mapped_column(BigInteger)
    confidence_low: Mapped[str] = mapped_column(String(90))
    confidence_high: Mapped[str] = mapped_column(String(90))
    observations: Mapped[list[Any]] = mapped_column(JsonValue)
    reports: Mapped[list[Any] | None] = mapped_column(JsonValue)
    pushes: Mapped[list[Any] | None] = mapped_column(JsonValue)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finalized_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OracleSignature(Base):
    """A node's signatures over one proposed report, one per target (hex by target key)."""

    __tablename__ = "oracle_signatures"
    __table_args__ = (UniqueConstraint("round_ref", "node_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    round_ref: Mapped[str] = mapped_column(String(26), index=True)
    node_id: Mapped[str] = mapped_column(String(64))
    signatures: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OracleRequest(Base):
    """An arbitrary request (``url`` + ``filter``) and its signed result."""

    __tablename__ = "oracle_requests"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    filter: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))  # answered | failed
    result: Mapped[str | None] = mapped_column(String(4096))
    error: Mapped[str | None] = mapped_column(String(300))
    digest: Mapped[str | None] = mapped_column(String(64))
    signatures: Mapped[list[Any] | None] = mapped_column(JsonValue)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OracleUsage(Base):
    """Calls per principal per UTC day (metering)."""

    __tablename__ = "oracle_usage"

    principal_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    calls: Mapped[int] = mapped_column(BigInteger)
