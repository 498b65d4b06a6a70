"""Event subscription endpoints (``/api/v1/events``): subscriptions, delivery history, dead
letters and the inbox of polling subscribers."""

from __future__ import annotations

from typing import Any

from nsl.client import results
from nsl.client.base import Call, drop_none, endpoint, path_segment
from nsl.client.results import JsonObject, Page

PREFIX = "/api/v1/events/subscriptions"


def _one(subscription_id: str) -> str:
    return f"{PREFIX}/{path_segment(subscription_id)}"


class EventsEndpoints:
    @endpoint
    def create_event_subscription(
        self,
        chain: str,
        contract: str,
        delivery: dict[str, Any],
        event_name: str | None = None,
        filters: dict[str, Any] | None = None,
        confirmations: int | None = None,
        start_block: int | None = None,
        abi: list[dict[str, Any]] | None = None,
        description: str = "",
    ) -> Call[JsonObject]:
        """``delivery``: ``{"type": "webhook", "url": ...}``, ``{"type": "bus"}`` or
        ``{"type": "inbox"}``. A webhook's ``delivery.secret`` is in this answer only."""
        body = {
            "chain": chain,
            "contract": contract,
            "delivery": delivery,
            "description": description,
            **drop_none(
                event_name=event_name,
                filters=filters,
                confirmations=confirmations,
                start_block=start_block,
                abi=abi,
            ),
        }
        return Call("POST", PREFIX, results.json_object, json=body)

    @endpoint
    def event_subscription(self, subscription_id: str) -> Call[JsonObject]:
        return Call("GET", _one(subscription_id), results.json_object)

    @endpoint
    def list_event_subscriptions(
        self,
        chain: str | None = None,
        status: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Call[Page]:
        params = {"chain": chain, "status": status, "page": page, "page_size": page_size}
        return Call("GET", PREFIX, results.json_body, params=params)

    @endpoint
    def pause_event_subscription(self, subscription_id: str) -> Call[JsonObject]:
        return Call("POST", f"{_one(subscription_id)}/pause", results.json_object)

    @endpoint
    def resume_event_subscription(self, subscription_id: str) -> Call[JsonObject]:
        return Call("POST", f"{_one(subscription_id)}/resume", results.json_object)

    @endpoint
    def delete_event_subscription(self, subscription_id: str) -> Call[None]:
        return Call("DELETE", _one(subscription_id), results.no_content)

    @endpoint
    def event_deliveries(
        self, subscription_id: str, status: str | None = None, page: int = 1, page_size: int = 50
    ) -> Call[Page]:
        """Newest first; each with ``status``, ``attempts`` and its attempt ``history``."""
        params = {"status": status, "page": page, "page_size": page_size}
        path = f"{_one(subscription_id)}/deliveries"
        return Call("GET", path, results.json_body, params=params)

    @endpoint
    def event_dead_letters(
        self, subscription_id: str, page: int = 1, page_size: int = 50
    ) -> Call[Page]:
        params = {"page": page, "page_size": page_size}
        path = f"{_one(subscription_id)}/dead-letters"
        return Call("GET", path, results.json_body, params=params)

    @endpoint
    def retry_event_dead_letter(self, subscription_id: str, delivery_id: str) -> Call[JsonObject]:
        path = f"{_one(subscription_id)}/dead-letters/{path_segment(delivery_id)}/retry"
        return Call("POST", path, results.json_object)

    @endpoint
    def event_inbox(
        self, subscription_id: str, after: int | None = None, limit: int = 100
    ) -> Call[JsonObject]:
        """``{"items": [{"seq", "kind", "event_id", "retracted", "event"}], "next_after",
        "acked"}``: pass ``next_after`` as ``after`` to read on."""
        params = {"after": after, "limit": limit}
        return Call("GET", f"{_one(subscription_id)}/inbox", results.json_object, params=params)

    @endpoint
    def ack_event_inbox(self, subscription_id: str, up_to: int) -> Call[JsonObject]:
        path = f"{_one(subscription_id)}/inbox/ack"
        return Call("POST", path, results.json_object, json={"up_to": up_to})
