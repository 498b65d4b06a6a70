"""Transports: HTTP channels (signed webhook, Slack, Discord, Telegram) through ``SafeHttp``,
and e-mail over SMTP (``aiosmtplib``) to a host checked against the same address policy."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import orjson

from nsl.adapters.safehttp import OutboundRefused, Policy, SafeHttp, system_resolver
from nsl.core.errors import NslError
from nsl.services.notifications import signing
from nsl.services.notifications.models import Channel, Notification
from nsl.services.notifications.views import text_of, webhook_payload

DISCORD_MAX = 2000
TELEGRAM_MAX = 4096


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None


@dataclass(frozen=True)
class Opened:
    """What a send needs that is not stored in clear: sealed values, the SMTP password."""

    sealed: dict[str, Any]
    password: str | None = None


class Transports:
    def __init__(self, policy: Policy, timeout_s: float) -> None:
        self.policy = policy
        self.timeout_s = timeout_s
        self.http = SafeHttp(policy, timeout_s=timeout_s, max_bytes=64 * 1024)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def send(
        self, channel: Channel, opened: Opened, rows: Sequence[Notification], key: str, stamp: int
    ) -> Outcome:
        """Deliver ``rows`` (one, or a digest) once; the outcome, never an exception."""
        try:
            if channel.type == "email":  # bounded as a whole, not per SMTP command
                return await asyncio.wait_for(self._email(channel, opened, rows), self.timeout_s)
            return await self._http(channel, opened, rows, key, stamp)
        except (TimeoutError, aiosmtplib.SMTPTimeoutError):
            return Outcome(None, "timeout")
        except aiosmtplib.SMTPResponseException as exc:
            return Outcome(exc.code, f"SMTP {exc.code}")
        except (aiosmtplib.SMTPException, OSError) as exc:
            return Outcome(None, type(exc).__name__)
        except NslError as exc:  # refused target, timeout, a secret that does not open
            return Outcome(None, exc.code)

    async def _http(
        self, channel: Channel, opened: Opened, rows: Sequence[Notification], key: str, stamp: int
    ) -> Outcome:
        headers = {"Content-Type": "application/json"}
        subject, text = text_of(rows)
        if channel.type == "webhook":
            url = channel.config["url"]
            body = orjson.dumps(webhook_payload(channel.id, rows, key))
            headers.update(signing.headers(opened.sealed["secret"], stamp, body, key))
        else:
            url = opened.sealed["url"]
            body = orjson.dumps(_chat(channel, rows[0].recipient, subject, text))
        answer = await self.http.request("POST", url, headers=headers, content=body)
        ok = 200 <= answer.status < 300
        return Outcome(answer.status, None if ok else f"HTTP {answer.status}")

    async def _email(
        self, channel: Channel, opened: Opened, rows: Sequence[Notification]
    ) -> Outcome:
        smtp = channel.config
        subject, text = text_of(rows)
        message = EmailMessage()
        message["From"] = smtp["from_address"]
        message["To"] = rows[0].recipient or smtp["to"]
        message["Subject"] = subject
        message["Message-ID"] = f"<{rows[0].id}@nsl.notifications>"
        if len(rows) == 1 and rows[0].format == "html":
            message.set_content(text, subtype="html")
        else:
            message.set_content(text)
        host = smtp["host"].strip("[]")
        address = await self._checked(host, smtp["port"])
        tls = smtp["tls"]
        response = await aiosmtplib.send(
            message,
            hostname=address if tls == "none" else host,  # TLS needs the name for the certificate
            port=smtp["port"],
            username=smtp.get("username"),
            password=opened.password,
            use_tls=tls == "tls",
            start_tls=tls == "starttls",
            timeout=self.timeout_s,
        )
        _, reply = response
        return Outcome(250, None) if reply is not None else Outcome(None, "no reply")

    async def _checked(self, host: str, port: int) -> str:
        try:
            addresses = await asyncio.wait_for(system_resolver(host, port), self.timeout_s)
        except OSError as exc:
            raise OutboundRefused(f"{host} does not resolve", code="outbound.unresolvable") from exc
        if not addresses or not all(self.policy.permits(a) for a in addresses):
            raise OutboundRefused(
                f"{host} resolves to a refused address", code="outbound.private_address"
            )
        return addresses[0]


def _chat(channel: Channel, recipient: str | None, subject: str, text: str) -> dict[str, Any]:
    if channel.type == "slack":
        return {"text": f"*{subject}*\n{text}" if subject else text}
    if channel.type == "discord":
        content = f"**{subject}**\n{text}" if subject else text
        return {"content": content[:DISCORD_MAX]}
    chat_id = recipient or channel.config["chat_id"]  # telegram Bot API sendMessage
    message = f"{subject}\n\n{text}" if subject else text
    return {"chat_id": chat_id, "text": message[:TELEGRAM_MAX]}
