"""Request bodies of the secrets API (unknown fields are refused)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class WriteSecret(BaseModel):
    """``PUT|POST /{path}``: a new version."""

    model_config = ConfigDict(extra="forbid")

    data: Any = Field(description="a JSON object: the secret's fields (at most 64 KiB as JSON)")
    cas: int | None = Field(
        None,
        ge=0,
        description="check-and-set: write only if the current version is this (0: only if absent)",
    )


class Versions(BaseModel):
    """``POST /{path}/undelete|destroy``."""

    model_config = ConfigDict(extra="forbid")

    versions: Any = Field(description="1 to 100 version numbers (integers >= 1)")


class WriteMetadata(BaseModel):
    """``PUT|POST /{path}/metadata``. Omitted fields keep their current value."""

    model_config = ConfigDict(extra="forbid")

    max_versions: int | None = Field(
        None, ge=0, le=1000, description="versions kept (0: the service default)"
    )
    cas_required: bool | None = Field(None, description="every write must then send cas")
    rotation_period_days: int | None = Field(
        None, ge=0, le=36500, description="secrets.rotation_due after this many days (0: never)"
    )
    custom_metadata: dict[str, str] | None = Field(
        None, description="up to 64 string pairs; replaces the current ones"
    )


class CreatePolicy(BaseModel):
    """``POST /_policies``."""

    model_config = ConfigDict(extra="forbid")

    pattern: str = Field(description="path glob: * within a segment, ** across segments")
    subject: str = Field(description="principal:<id> or role:<role>")
    capabilities: list[str] = Field(
        description="among read, write, delete, undelete, destroy, list, metadata"
    )
    effect: Literal["allow", "deny"] = "allow"
    description: str = Field("", max_length=500)
