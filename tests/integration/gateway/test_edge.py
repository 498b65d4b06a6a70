"""Errors as problem+json, auth failures, body limits, security headers, CORS, request ids."""

from __future__ import annotations

from collections.abc import Callable

from tests.integration.gateway.conftest import Gateway

from nsl.core.settings import Settings

PROBLEM = "application/problem+json"


async def test_unauthenticated_protected_route_is_401_problem(gateway: Gateway) -> None:
    response = await gateway.http.get("/api/v1/configuration/app.name")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "auth.unauthenticated"
    assert body["request_id"] == response.headers["x-request-id"]


async def test_invalid_api_key_is_401_even_on_public_routes(gateway: Gateway) -> None:
    response = await gateway.http.get("/api/info", headers={"X-API-Key": "nsl_wrong_" + "x" * 40})
    assert response.status_code == 401
    assert response.json()["code"].startswith("auth.")


async def test_garbage_bearer_token_is_401(gateway: Gateway) -> None:
    response = await gateway.http.get(
        "/api/v1/configuration/a", headers={"Authorization": "Bearer not.a.jwt"}
    )
    assert response.status_code == 401


async def test_malformed_json_is_400_and_writes_nothing(gateway: Gateway) -> None:
    response = await gateway.http.put(
        "/api/v1/configuration/app.x",
        content=b'{"value": ',
        headers={**gateway.admin(), "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    missing = await gateway.http.get("/api/v1/configuration/app.x", headers=gateway.admin())
    assert missing.status_code == 404


async def test_unknown_field_is_422_naming_the_field(gateway: Gateway) -> None:
    response = await gateway.http.put(
        "/api/v1/configuration/app.x",
        json={"value": 1, "colour": "red"},
        headers=gateway.admin(),
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert "colour" in fields


async def test_oversized_body_is_413(gateway: Gateway) -> None:
    limit = gateway.settings.http.max_body_bytes
    response = await gateway.http.put(
        "/api/v1/configuration/app.big",
        content=b'{"value": "' + b"a" * (limit + 10) + b'"}',
        headers={**gateway.admin(), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large"


async def test_unknown_route_is_404_problem(gateway: Gateway) -> None:
    response = await gateway.http.get("/api/v1/nothing-here", headers=gateway.admin())
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


async def test_security_headers_and_request_id(gateway: Gateway) -> None:
    response = await gateway.http.get("/api/info", headers={"X-Request-ID": "trace-123"})
    h = response.headers
    assert h["x-request-id"] == "trace-123"
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert "strict-transport-security" not in h  # plain HTTP here
    generated = (await gateway.http.get("/api/info")).headers["x-request-id"]
    assert generated and generated != "trace-123"


async def test_hsts_when_tls_is_terminated_upstream(
    stack_settings: Callable[..., Settings],
) -> None:
    settings = stack_settings(
        http={"tls_terminated_upstream": True, "cors_origins": ["https://a.b"]}
    )
    async with Gateway(settings) as gw:
        response = await gw.http.get("/api/info", headers={"X-Forwarded-Proto": "https"})
        assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_cors_allows_configured_origin_only(gateway: Gateway) -> None:
    allowed = await gateway.http.get("/api/info", headers={"Origin": "https://app.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    other = await gateway.http.get("/api/info", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = await gateway.http.options(
        "/api/v1/configuration/a",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "PUT"},
    )
    assert preflight.status_code == 200
