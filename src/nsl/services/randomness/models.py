"""Tables: the service's VRF keys (one per suite) and every randomness request with its result.

A key row names an enclave key by its opaque reference and keeps its public half; the private
key never leaves the enclave. A request row is written ``pending`` before any proof is made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nsl.db.base import Base, JsonValue, UtcDateTime


class RandomnessVrfKey(Base):
    __tablename__ = "randomness_vrf_keys"

    suite: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_ref: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RandomnessRequest(Base):
    __tablename__ = "randomness_requests"
    __table_args__ = (
        UniqueConstraint("owner_id", "request_id"),
        Index("ix_randomness_requests_status", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128))
    request_id: Mapped[str] = mapped_column(String(128))
    suite: Mapped[str] = mapped_column(String(64))
    key_ref: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    alpha: Mapped[bytes] = mapped_column(LargeBinary)
    count: Mapped[int] = mapped_column(Integer)
    min_value: Mapped[str] = mapped_column(String(80))  # decimal: the range may exceed 64 bits
    max_value: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16))  # pending | fulfilled | failed
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(200))
    beta: Mapped[bytes | None] = mapped_column(LargeBinary)
    proof: Mapped[bytes | None] = mapped_column(LargeBinary)
    values: Mapped[list[Any] | None] = mapped_column(JsonValue)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
