"""A service's enclave wrapping key: created once, its reference kept in the service's own
keyring table (``purpose`` primary key, ``key_ref``, ``created_at``).

Processes starting together may each create a key; the primary key lets one row win, and the
losers re-read it and destroy the key they made.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import IntegrityError

from nsl.core.clock import Clock
from nsl.core.enclave import Enclave
from nsl.core.ports import Database

log = logging.getLogger(__name__)


async def wrapping_key(
    database: Database, enclave: Enclave, clock: Clock, table: type[Any], purpose: str
) -> str:
    """The reference of ``purpose``'s wrapping key, creating the key on first use."""
    existing = await _read(database, table, purpose)
    if existing is not None:
        return existing
    key_ref = await enclave.create_wrapping_key(purpose=purpose)
    try:
        async with database.session() as session:
            session.add(table(purpose=purpose, key_ref=key_ref, created_at=clock.now()))
            await session.flush()
    except IntegrityError:
        winner = await _read(database, table, purpose)
        if winner is None:
            raise
        await enclave.destroy_key(key_ref)
        log.info("%s: another process created the wrapping key first; using it", purpose)
        return winner
    log.info("%s: created the enclave wrapping key", purpose)
    return key_ref


async def _read(database: Database, table: type[Any], purpose: str) -> str | None:
    async with database.session() as session:
        row = await session.get(table, purpose)
        return row.key_ref if row is not None else None
