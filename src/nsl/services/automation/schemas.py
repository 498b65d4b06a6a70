"""Request bodies of the automation API (unknown fields are refused). Triggers and actions are
objects checked by ``rules`` so that a refusal names ``trigger.<field>`` or ``action.<field>``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

TRIGGER_DOC = (
    '{"type": "cron", "cron": "*/5 * * * *"} (6 fields: seconds last) | '
    '{"type": "interval", "seconds": 60} | {"type": "once", "at": "2027-01-01T00:00:00Z"} | '
    '{"type": "block", "chain": "neo-n3", "height": 1000} | {"type": "webhook"} | '
    '{"type": "event", "chain", "contract", "event_name", "filters"?, "confirmations"?, '
    '"abi"?} | '
    '{"type": "price", "feed": "NEO/USD", "condition": "above|below|crosses", "threshold": "1.5"}'
)
ACTION_DOC = (
    '{"type": "contract", "chain", "contract", "method", "args", "key_id", "abi"?} | '
    '{"type": "webhook", "url", "payload"?} | '
    '{"type": "notification", "channel_id", "subject", "body"}'
)


class CreateJob(BaseModel):
    """``POST /jobs`` and ``PUT /jobs/{id}``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    trigger: dict[str, Any] = Field(description=TRIGGER_DOC)
    action: dict[str, Any] = Field(description=ACTION_DOC)
    expires_at: datetime | None = Field(None, description="no execution due after this time")
    max_executions: int | None = Field(None, description="then the job is completed")
    max_retries: int = Field(3, description="attempts after the first failed one (0-10)")


class UpdateJob(BaseModel):
    """``PATCH /jobs/{id}``: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    trigger: dict[str, Any] | None = None
    action: dict[str, Any] | None = None
    expires_at: datetime | None = None
    max_executions: int | None = None
    max_retries: int | None = None
