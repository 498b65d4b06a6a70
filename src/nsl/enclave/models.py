"""The enclave's own table: every key it holds, sealed (software) or referenced (PKCS#11).

``kind`` is ``private`` (an asymmetric key) or ``wrapping`` (an AES-256 key). ``label`` names
the few well-known items (``identity``, ``seal:<service>``). ``blob`` is the key sealed under
the master key ``master_id`` (software provider); a PKCS#11 item keeps its key in the token.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from nsl.db.base import Base, UtcDateTime


class EnclaveItem(Base):
    __tablename__ = "enclave_items"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    key_type: Mapped[str | None] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(128), unique=True)
    purpose: Mapped[str] = mapped_column(String(128))
    exportable: Mapped[bool] = mapped_column(Boolean)
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    master_id: Mapped[str | None] = mapped_column(String(16), index=True)
    blob: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    destroyed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
