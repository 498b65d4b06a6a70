"""Settings of the storage service (``NSL_STORAGE__*``)."""

from __future__ import annotations

from pydantic import BaseModel


class StorageSettings(BaseModel):
    """Storage: chunk store, quotas, size limits and purge interval."""
