"""Oracle endpoints (``/api/v1/oracle``): feeds, rounds, the latest signed report,
verification, this node, arbitrary requests and usage."""

from __future__ import annotations

from typing import Any

from nsl.client import results
from nsl.client.base import Call, drop_none, endpoint, key_path, path_segment
from nsl.client.results import JsonObject, Page

PREFIX = "/api/v1/oracle"


def _feed(name: str) -> str:
    return f"{PREFIX}/feeds/{key_path(name)}"


class OracleEndpoints:
    @endpoint
    def create_oracle_feed(
        self,
        name: str,
        sources: list[dict[str, Any]],
        decimals: int = 8,
        aggregation: str = "median",
        min_sources: int = 3,
        deviation: str = "0.005",
        heartbeat_s: int = 3600,
        description: str = "",
    ) -> Call[JsonObject]:
        """``sources``: ``{"name", "url", "path", "weight"?, "headers"?, "timeout_s"?}``, at
        least 3 (admin or operator)."""
        body = {
            "name": name,
            "sources": sources,
            "decimals": decimals,
            "aggregation": aggregation,
            "min_sources": min_sources,
            "deviation": deviation,
            "heartbeat_s": heartbeat_s,
            "description": description,
        }
        return Call("POST", f"{PREFIX}/feeds", results.json_object, json=body)

    @endpoint
    def oracle_feed(self, name: str) -> Call[JsonObject]:
        return Call("GET", _feed(name), results.json_object)

    @endpoint
    def list_oracle_feeds(self, page: int = 1, page_size: int = 50) -> Call[Page]:
        params = {"page": page, "page_size": page_size}
        return Call("GET", f"{PREFIX}/feeds", results.json_body, params=params)

    @endpoint
    def update_oracle_feed(
        self, name: str, status: str | None = None, description: str | None = None
    ) -> Call[JsonObject]:
        body = drop_none(status=status, description=description)
        return Call("PATCH", _feed(name), results.json_object, json=body)

    @endpoint
    def oracle_latest(self, name: str) -> Call[JsonObject]:
        """The latest signed report with ``updated_at``, ``heartbeat_s`` and ``stale``."""
        return Call("GET", f"{_feed(name)}/latest", results.json_object)

    @endpoint
    def oracle_rounds(self, name: str, page: int = 1, page_size: int = 50) -> Call[Page]:
        params = {"page": page, "page_size": page_size}
        return Call("GET", f"{_feed(name)}/rounds", results.json_body, params=params)

    @endpoint
    def verify_oracle_report(self, report: dict[str, Any]) -> Call[JsonObject]:
        """``report``: ``chain``, ``network_id``, ``contract``, ``feed``, ``round_id``,
        ``answer``, ``timestamp``, ``signatures`` (and optional ``signers``, ``threshold``)."""
        return Call("POST", f"{PREFIX}/verify", results.json_object, json=report)

    @endpoint
    def oracle_node(self) -> Call[JsonObject]:
        return Call("GET", f"{PREFIX}/node", results.json_object)

    @endpoint
    def create_oracle_request(self, url: str, filter: str) -> Call[JsonObject]:
        body = {"url": url, "filter": filter}
        return Call("POST", f"{PREFIX}/requests", results.json_object, json=body)

    @endpoint
    def oracle_request(self, request_id: str) -> Call[JsonObject]:
        return Call("GET", f"{PREFIX}/requests/{path_segment(request_id)}", results.json_object)

    @endpoint
    def oracle_usage(self, principal_id: str | None = None) -> Call[JsonObject]:
        params = drop_none(principal_id=principal_id)
        return Call("GET", f"{PREFIX}/usage", results.json_object, params=params)
