"""The hot read as a bare ASGI app answers like the routed read, and declines other paths."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from config_harness import Harness, PrincipalFromHeaders
from starlette.types import Receive, Scope, Send

from nsl.services.configuration.errors import EntryNotFound, RevealForbidden
from nsl.services.configuration.hotpath import EntryReadApp


def direct_client(harness: Harness) -> httpx.AsyncClient:
    """Entry reads dispatched to EntryReadApp before FastAPI; everything else to the routed app."""
    reader = EntryReadApp(harness.service)
    routed = harness.http._transport.app  # type: ignore[attr-defined]

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if EntryReadApp.key_of(scope) is not None:
            await reader(scope, receive, send)
        else:
            await routed(scope, receive, send)

    transport = httpx.ASGITransport(app=PrincipalFromHeaders(dispatch), raise_app_exceptions=True)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_direct_and_routed_reads_answer_the_same(harness: Harness) -> None:
    await harness.put("app/db.password", {"value": "pw-123"})
    await harness.put("app/name", {"value": {"n": [1, 2]}})
    async with direct_client(harness) as direct:
        for key, params in [
            ("app/name", {}),
            ("app/db.password", {}),
            ("app/db.password", {"reveal": "1"}),
        ]:
            url = f"/api/v1/configuration/{key}"
            routed = await harness.http.get(url, params=params, headers=harness.as_("admin"))
            fast = await direct.get(url, params=params, headers=harness.as_("admin"))
            assert (fast.status_code, fast.content) == (routed.status_code, routed.content)
            assert fast.headers["content-type"] == "application/json"


async def test_direct_read_raises_the_service_errors(harness: Harness) -> None:
    await harness.put("app/db.password", {"value": "pw-123"})
    async with direct_client(harness) as direct:
        with pytest.raises(EntryNotFound):
            await direct.get("/api/v1/configuration/missing", headers=harness.as_("user"))
        with pytest.raises(RevealForbidden):
            await direct.get(
                "/api/v1/configuration/app/db.password",
                params={"reveal": "true"},
                headers=harness.as_("user"),
            )


@pytest.mark.parametrize(
    ("method", "path", "served"),
    [
        ("GET", "/api/v1/configuration/app/x", True),
        ("GET", "/api/v1/configuration/a/b/c", True),
        ("PUT", "/api/v1/configuration/app/x", False),
        ("GET", "/api/v1/configuration/export", False),
        ("GET", "/api/v1/configuration/schemas", False),
        ("GET", "/api/v1/configuration/app/x/history", False),
        ("GET", "/api/v1/configuration/", False),
        ("GET", "/api/v1/configuration", False),
        ("GET", "/api/v1/configurationx/a", False),
        ("GET", "/health", False),
    ],
)
def test_key_of_accepts_only_entry_reads(method: str, path: str, served: bool) -> None:
    scope: dict[str, Any] = {"type": "http", "method": method, "path": path}
    assert (EntryReadApp.key_of(scope) is not None) is served


async def test_routed_fixed_paths_are_not_shadowed_by_the_read_route(harness: Harness) -> None:
    await harness.put("app/x", {"value": 1})
    for path in ["export", "schemas", "app/x/history", ""]:
        response = await harness.http.get(
            f"/api/v1/configuration/{path}", headers=harness.as_("admin")
        )
        assert response.status_code == 200, path
        assert "key" not in response.json() or path.endswith("history"), path
    bad = await harness.get("app/x", reveal="maybe")
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "reveal")
