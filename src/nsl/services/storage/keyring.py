"""The service's enclave wrapping key: created once, its reference kept in ``storage_keyring``
(the pattern of the secrets service: the primary key lets one concurrent first start win)."""

from __future__ import annotations

import logging

from nsl.core.clock import Clock
from nsl.core.enclave import Enclave
from nsl.core.ports import Database
from nsl.services.storage.errors import ConcurrentChange
from nsl.services.storage.models import StorageKeyring
from nsl.services.storage.repository import StorageRepository

log = logging.getLogger(__name__)

PURPOSE = "storage"


async def wrapping_key(database: Database, enclave: Enclave, clock: Clock) -> str:
    """The wrapping key's reference, creating the key on first use."""
    existing = await _read(database)
    if existing is not None:
        return existing
    key_ref = await enclave.create_wrapping_key(purpose=PURPOSE)
    try:
        async with database.session() as session:
            repo = StorageRepository(session)
            repo.add(StorageKeyring(purpose=PURPOSE, key_ref=key_ref, created_at=clock.now()))
            await repo.flush()
    except ConcurrentChange:
        winner = await _read(database)
        if winner is None:
            raise
        await enclave.destroy_key(key_ref)
        log.info("storage: another process created the wrapping key first; using it")
        return winner
    log.info("storage: created the enclave wrapping key")
    return key_ref


async def _read(database: Database) -> str | None:
    async with database.session() as session:
        row = await StorageRepository(session).keyring(PURPOSE)
        return row.key_ref if row is not None else None
