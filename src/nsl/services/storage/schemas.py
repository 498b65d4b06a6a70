"""Request bodies of the storage API (object bytes are the raw request body, not JSON)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ShareBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=1024)
    grantee: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")
    access: Literal["read", "read-write"] = "read"
    owner: str | None = Field(None, min_length=1, max_length=128)


class QuotaBody(BaseModel):
    """Limits for one owner; ``null`` returns to the default in the settings."""

    model_config = ConfigDict(extra="forbid")

    max_bytes: int | None = Field(None, ge=0)
    max_objects: int | None = Field(None, ge=0)
