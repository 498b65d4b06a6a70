"""Notification endpoints (``/api/v1/notifications``): channels, templates, topic
subscriptions, sending, status and history, dead letters and the in-app inbox."""

from __future__ import annotations

from typing import Any

from nsl.client import results
from nsl.client.base import Call, drop_none, endpoint, path_segment
from nsl.client.results import JsonObject, Page

PREFIX = "/api/v1/notifications"


def _paging(page: int, page_size: int, **extra: Any) -> dict[str, Any]:
    return {"page": page, "page_size": page_size, **extra}


class NotificationsEndpoints:
    @endpoint
    def create_notification_channel(
        self,
        name: str,
        type: str,
        url: str | None = None,
        chat_id: str | None = None,
        smtp: dict[str, Any] | None = None,
        batch_window_s: int | None = None,
    ) -> Call[JsonObject]:
        """``type``: webhook, email, slack, discord, telegram or inbox. A webhook channel's
        ``secret`` (HMAC-SHA256 key of ``X-NSL-Signature``) is in this answer only."""
        body = {
            "name": name,
            "type": type,
            **drop_none(url=url, chat_id=chat_id, smtp=smtp, batch_window_s=batch_window_s),
        }
        return Call("POST", f"{PREFIX}/channels", results.json_object, json=body)

    @endpoint
    def notification_channel(self, channel_id: str) -> Call[JsonObject]:
        return Call("GET", f"{PREFIX}/channels/{path_segment(channel_id)}", results.json_object)

    @endpoint
    def list_notification_channels(self, page: int = 1, page_size: int = 50) -> Call[Page]:
        return Call("GET", f"{PREFIX}/channels", results.json_body, params=_paging(page, page_size))

    @endpoint
    def delete_notification_channel(self, channel_id: str) -> Call[None]:
        return Call("DELETE", f"{PREFIX}/channels/{path_segment(channel_id)}", results.no_content)

    @endpoint
    def create_notification_template(
        self, name: str, body: str, subject: str = "", format: str = "text"
    ) -> Call[JsonObject]:
        """Sandboxed Jinja2; ``format="html"`` autoescapes the variables."""
        data = {"name": name, "body": body, "subject": subject, "format": format}
        return Call("POST", f"{PREFIX}/templates", results.json_object, json=data)

    @endpoint
    def notification_template(self, template_id: str) -> Call[JsonObject]:
        path = f"{PREFIX}/templates/{path_segment(template_id)}"
        return Call("GET", path, results.json_object)

    @endpoint
    def update_notification_template(
        self,
        template_id: str,
        name: str,
        body: str,
        subject: str = "",
        format: str = "text",
    ) -> Call[JsonObject]:
        data = {"name": name, "body": body, "subject": subject, "format": format}
        path = f"{PREFIX}/templates/{path_segment(template_id)}"
        return Call("PUT", path, results.json_object, json=data)

    @endpoint
    def delete_notification_template(self, template_id: str) -> Call[None]:
        path = f"{PREFIX}/templates/{path_segment(template_id)}"
        return Call("DELETE", path, results.no_content)

    @endpoint
    def list_notification_templates(self, page: int = 1, page_size: int = 50) -> Call[Page]:
        return Call(
            "GET", f"{PREFIX}/templates", results.json_body, params=_paging(page, page_size)
        )

    @endpoint
    def create_notification_subscription(
        self,
        channel_id: str,
        pattern: str,
        template: str | None = None,
        recipient: str | None = None,
    ) -> Call[JsonObject]:
        """Bus events whose topic matches ``pattern`` (``*`` one word, ``#`` any) become
        notifications on the channel."""
        body = {
            "channel_id": channel_id,
            "pattern": pattern,
            **drop_none(template=template, recipient=recipient),
        }
        return Call("POST", f"{PREFIX}/subscriptions", results.json_object, json=body)

    @endpoint
    def notification_subscription(self, subscription_id: str) -> Call[JsonObject]:
        path = f"{PREFIX}/subscriptions/{path_segment(subscription_id)}"
        return Call("GET", path, results.json_object)

    @endpoint
    def list_notification_subscriptions(self, page: int = 1, page_size: int = 50) -> Call[Page]:
        params = _paging(page, page_size)
        return Call("GET", f"{PREFIX}/subscriptions", results.json_body, params=params)

    @endpoint
    def delete_notification_subscription(self, subscription_id: str) -> Call[None]:
        path = f"{PREFIX}/subscriptions/{path_segment(subscription_id)}"
        return Call("DELETE", path, results.no_content)

    @endpoint
    def send_notification(
        self,
        channel_id: str | None = None,
        channel: str | None = None,
        subject: str | None = None,
        body: str | None = None,
        template: str | None = None,
        variables: dict[str, Any] | None = None,
        recipient: str | None = None,
        scheduled_at: str | None = None,
        idempotency_key: str | None = None,
    ) -> Call[JsonObject]:
        """``{"id", "status", "created"}`` (202): delivered in the background."""
        data = drop_none(
            channel_id=channel_id,
            channel=channel,
            subject=subject,
            body=body,
            template=template,
            variables=variables,
            recipient=recipient,
            scheduled_at=scheduled_at,
            idempotency_key=idempotency_key,
        )
        return Call("POST", PREFIX, results.json_object, json=data)

    @endpoint
    def notification(self, notification_id: str) -> Call[JsonObject]:
        """Status, attempts and their history (time, status code or error)."""
        return Call("GET", f"{PREFIX}/{path_segment(notification_id)}", results.json_object)

    @endpoint
    def list_notifications(
        self, status: str | None = None, page: int = 1, page_size: int = 50
    ) -> Call[Page]:
        params = _paging(page, page_size, status=status)
        return Call("GET", PREFIX, results.json_body, params=params)

    @endpoint
    def notification_dead_letters(self, page: int = 1, page_size: int = 50) -> Call[Page]:
        params = _paging(page, page_size)
        return Call("GET", f"{PREFIX}/dead-letters", results.json_body, params=params)

    @endpoint
    def retry_notification(self, notification_id: str) -> Call[JsonObject]:
        path = f"{PREFIX}/{path_segment(notification_id)}/retry"
        return Call("POST", path, results.json_object)

    @endpoint
    def notification_inbox(
        self, unread: bool = False, page: int = 1, page_size: int = 50
    ) -> Call[Page]:
        params = _paging(page, page_size, unread=str(unread).lower())
        return Call("GET", f"{PREFIX}/inbox", results.json_body, params=params)

    @endpoint
    def mark_notification_read(self, notification_id: str) -> Call[JsonObject]:
        path = f"{PREFIX}/inbox/{path_segment(notification_id)}/read"
        return Call("POST", path, results.json_object)
