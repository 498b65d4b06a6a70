"""Request bodies of the configuration API (unknown fields are refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class SetEntry(BaseModel):
    """``PUT /{key}``. Omitted flags keep the entry's current ones (defaults for a new entry)."""

    model_config = ConfigDict(extra="forbid")

    value: Any = Field(description="any JSON value")
    secret: bool | None = Field(None, description="seal the value at rest (default: false)")
    description: str | None = Field(None, description="up to 1000 characters (default: empty)")
    read_only: bool | None = Field(None, description="changes then need admin + force=true")
    scope: str | None = Field(None, description="[a-z0-9._-]{1,64} (default: global)")


class ImportedEntry(BaseModel):
    """One entry of an import document; omitted flags work as in ``SetEntry`` (the export's
    other fields are accepted and ignored)."""

    model_config = ConfigDict(extra="forbid")

    key: str
    value: Any
    secret: bool | None = None
    description: str | None = None
    read_only: bool | None = None
    scope: str | None = None
    version: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    environment: str | None = None


class ImportDocument(BaseModel):
    """``POST /import``: an export document plus how to apply it."""

    model_config = ConfigDict(extra="forbid")

    entries: list[ImportedEntry]
    mode: Literal["merge", "replace"] = "merge"
    dry_run: bool = False
    force: bool = False
    environment: str | None = None
    prefix: str | None = None
    exported_at: datetime | None = None
    revealed: bool | None = None


class SchemaBody(BaseModel):
    """``PUT /schemas?prefix=``: a Draft 2020-12 JSON Schema object."""

    model_config = ConfigDict(extra="forbid")

    schema_: Any = Field(alias="schema", description="a JSON Schema object")
