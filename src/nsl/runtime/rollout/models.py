"""Tables of the rollout state: flags, routes, generation counter, gateway acknowledgements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from nsl.db.base import Base, UtcDateTime


class FlagRow(Base):
    """A service switched on or off at runtime (absent: on)."""

    __tablename__ = "rollout_flags"

    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(128))


class RouteRow(Base):
    """Where the gateway sends one service: the active colour and both colours' upstreams."""

    __tablename__ = "rollout_routes"

    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    active: Mapped[str] = mapped_column(String(8))
    blue_url: Mapped[str | None] = mapped_column(String(512), nullable=True)
    blue_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    green_url: Mapped[str | None] = mapped_column(String(512), nullable=True)
    green_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class GenerationRow(Base):
    """One row: bumped in the same transaction as every flag or route change."""

    __tablename__ = "rollout_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)


class AckRow(Base):
    """The generation a gateway process has loaded, and when it last said so."""

    __tablename__ = "rollout_acks"

    instance_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
