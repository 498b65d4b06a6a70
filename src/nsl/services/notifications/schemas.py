"""Request bodies of the notifications API (unknown fields are refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ChannelType = Literal["webhook", "email", "slack", "discord", "telegram", "inbox"]


class SecretRef(BaseModel):
    """A value in the secrets service: the secret at ``path`` (readable by the channel's
    owner), field ``key`` of its data."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(min_length=1, max_length=512)
    key: str = Field("password", min_length=1, max_length=128)


class SmtpConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, max_length=253)
    port: int = Field(587, ge=1, le=65535)
    tls: Literal["none", "starttls", "tls"] = "starttls"
    username: str | None = Field(None, max_length=320)
    password_secret: SecretRef | None = None
    from_address: str = Field(max_length=320)
    to: str | None = Field(None, max_length=320, description="default recipient")


class CreateChannel(BaseModel):
    """``POST /channels``: ``url`` for webhook, slack, discord and telegram (the Bot API
    ``sendMessage`` URL), ``chat_id`` for telegram, ``smtp`` for email; nothing for inbox."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    type: ChannelType
    url: str | None = Field(None, max_length=2048)
    chat_id: str | None = Field(None, max_length=64)
    smtp: SmtpConfig | None = None
    batch_window_s: int | None = Field(None, description="send a digest per window (seconds)")


class SendNotification(BaseModel):
    """``POST /notifications``: ``body`` or ``template`` (+ ``variables``), not both."""

    model_config = ConfigDict(extra="forbid")

    channel_id: str | None = None
    channel: str | None = Field(None, description="channel name, instead of channel_id")
    recipient: str | None = Field(None, max_length=320)
    subject: str | None = None
    body: str | None = None
    template: str | None = Field(None, description="template name or id")
    variables: dict[str, Any] = Field(default_factory=dict)
    scheduled_at: datetime | None = None
    idempotency_key: str | None = Field(None, min_length=1, max_length=200)


class TemplateBody(BaseModel):
    """``POST /templates`` and ``PUT /templates/{id}``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    format: Literal["text", "html"] = "text"
    subject: str = ""
    body: str


class CreateSubscription(BaseModel):
    """``POST /subscriptions``: bus events whose topic matches ``pattern`` (``*`` one word,
    ``#`` any) become notifications on ``channel_id`` (rendered by ``template`` if given)."""

    model_config = ConfigDict(extra="forbid")

    channel_id: str
    pattern: str = Field(min_length=1, max_length=255)
    template: str | None = None
    recipient: str | None = Field(None, max_length=320)
