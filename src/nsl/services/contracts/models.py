"""Tables: the deployments we made and the invocations we sent, each with its chain outcome.

Which attempts earn a row is decided in ``outcomes.py``: a transaction a node took (in a block
or still unconfirmed), or a call whose test execution faulted (``failed``, no hash: never
sent). A refused or never-sent transaction leaves no row, only its audit entry. An
``unconfirmed`` row keeps its transaction's ``validity`` until ``settlement.py`` settles it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from nsl.db.base import Base, JsonValue, UtcDateTime


class DeploymentRow(Base):
    __tablename__ = "contracts_deployments"
    __table_args__ = (
        Index("ix_contracts_deployments_owner", "owner_id", "chain", "created_at"),
        Index("ix_contracts_deployments_address", "chain", "network", "address"),
        Index("ix_contracts_deployments_status", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128))
    key_id: Mapped[str] = mapped_column(String(128))
    chain: Mapped[str] = mapped_column(String(16))
    network: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(128))
    address: Mapped[str | None] = mapped_column(String(66))
    code_hash: Mapped[str] = mapped_column(String(80))
    tx_hash: Mapped[str | None] = mapped_column(String(66))  # null: never sent
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    block_hash: Mapped[str | None] = mapped_column(String(66))
    state: Mapped[str | None] = mapped_column(String(8))  # HALT | FAULT; null: unconfirmed
    status: Mapped[str] = mapped_column(String(16))  # succeeded | failed | unconfirmed
    gas_consumed: Mapped[int | None] = mapped_column(BigInteger)
    fee: Mapped[str | None] = mapped_column(String(80))  # decimal: wei may exceed 64 bits
    error: Mapped[str | None] = mapped_column(String(1000))
    validity: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)  # of an unconfirmed send
    manifest: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)  # Neo N3
    abi: Mapped[list[Any] | None] = mapped_column(JsonValue)  # Neo X
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"DeploymentRow(id={self.id!r}, chain={self.chain!r}, status={self.status!r})"


class InvocationRow(Base):
    __tablename__ = "contracts_invocations"
    __table_args__ = (
        Index("ix_contracts_invocations_contract", "chain", "network", "contract", "created_at"),
        Index("ix_contracts_invocations_owner", "owner_id", "created_at"),
        Index("ix_contracts_invocations_status", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128))
    key_id: Mapped[str] = mapped_column(String(128))
    chain: Mapped[str] = mapped_column(String(16))
    network: Mapped[str] = mapped_column(String(16))
    contract: Mapped[str] = mapped_column(String(66))
    method: Mapped[str] = mapped_column(String(256))
    args: Mapped[list[Any]] = mapped_column(JsonValue)
    tx_hash: Mapped[str | None] = mapped_column(String(66))  # null: never sent
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    block_hash: Mapped[str | None] = mapped_column(String(66))
    state: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    gas_consumed: Mapped[int | None] = mapped_column(BigInteger)
    fee: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(String(1000))
    validity: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)  # of an unconfirmed send
    events: Mapped[list[Any]] = mapped_column(JsonValue)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"InvocationRow(id={self.id!r}, method={self.method!r}, status={self.status!r})"
