"""Request bodies of the events API (unknown fields are refused)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class DeliveryTarget(BaseModel):
    """Where matched events go: a signed ``webhook``, the internal ``bus`` (topic
    ``events.<subscription id>``) or a stored ``inbox`` to poll."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["webhook", "bus", "inbox"]
    url: str | None = Field(None, description="webhook only: http(s) URL to POST events to")


class CreateSubscription(BaseModel):
    """``POST /subscriptions``."""

    model_config = ConfigDict(extra="forbid")

    chain: str = Field(description="neo-n3 or neo-x")
    contract: str = Field(description="0x + 40 hex digits: script hash (N3) or address (Neo X)")
    event_name: str | None = Field(None, description="only this event (default: every event)")
    filters: dict[str, Any] | None = Field(
        None, description="equality on named event arguments: {name: string|integer|boolean}"
    )
    confirmations: int | None = Field(
        None, description="blocks on top before delivery (default: 1 on neo-n3, 2 on neo-x)"
    )
    start_block: int | None = Field(None, description="first block to scan (default: current)")
    abi: list[dict[str, Any]] | None = Field(None, description="neo-x: ABI to decode events")
    delivery: DeliveryTarget
    description: str = Field("", max_length=500)


class InboxAck(BaseModel):
    """``POST /subscriptions/{id}/inbox/ack``: entries up to ``up_to`` are done with."""

    model_config = ConfigDict(extra="forbid")

    up_to: int = Field(ge=0, description="the seq of the last entry processed")
