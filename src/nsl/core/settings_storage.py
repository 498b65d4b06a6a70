"""Settings of the storage service (``NSL_STORAGE__*``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

MIB = 1024 * 1024
GIB = 1024 * MIB


class StorageSettings(BaseModel):
    """Storage: chunk store, quotas, size limits and purge interval."""

    chunk_store: Literal["database", "filesystem"] = "database"
    directory: Path | None = None  # filesystem chunk store; default ``<data_dir>/storage``
    chunk_bytes: int = Field(MIB, ge=64 * 1024, le=16 * MIB)
    max_object_bytes: int = Field(4 * GIB, ge=GIB)  # also the gateway's body limit for uploads
    default_quota_bytes: int = Field(10 * GIB, ge=0)
    default_quota_objects: int = Field(100_000, ge=0)
    max_key_length: int = Field(1024, ge=16, le=1024)
    max_metadata_entries: int = Field(32, ge=0, le=256)
    max_metadata_bytes: int = Field(8 * 1024, ge=0, le=64 * 1024)
    compression_level: int = Field(3, ge=1, le=19)
    purge_interval_s: float = Field(300.0, gt=0)  # expired objects and abandoned uploads
    abandoned_upload_s: float = Field(3600.0, gt=0)  # an upload silent this long is abandoned
