"""Token exchange, bearer tokens, refresh rotation with reuse detection, and logout."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from auth_harness import JWT_SECRET, PASSWORD, Harness

TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/auth/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def exchange(h: Harness, api_key: str) -> dict[str, Any]:
    response = await h.http.post(TOKEN, json={"api_key": api_key})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_api_key_exchange_gives_a_bearer_token_pyjwt_accepts(harness: Harness) -> None:
    pid, raw = await harness.principal_with_key("dev", ["developer"])
    pair = await exchange(harness, raw)
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 900

    claims = jwt.decode(
        pair["access_token"],
        JWT_SECRET,
        algorithms=["HS256"],
        audience="neo-service-layer",
        issuer="neo-service-layer",
    )
    assert claims["sub"] == pid and claims["roles"] == ["developer"] and claims["mfa"] is False
    assert claims["exp"] - claims["iat"] == 900 and claims["kind"] == "user" and claims["jti"]

    me = await harness.http.get(ME, headers=bearer(pair["access_token"]))
    assert me.status_code == 200
    assert me.json() | {"id": None} == {
        "id": None,
        "name": "dev",
        "kind": "user",
        "roles": ["developer"],
        "totp_enabled": False,
        "method": "bearer",
        "mfa": False,
    }


async def test_access_token_expires_after_its_ttl(harness: Harness) -> None:
    _, raw = await harness.principal_with_key("dev", ["developer"])
    token = (await exchange(harness, raw))["access_token"]
    harness.clock.advance(899)
    assert (await harness.http.get(ME, headers=bearer(token))).status_code == 200
    harness.clock.advance(1)
    expired = await harness.http.get(ME, headers=bearer(token))
    assert expired.status_code == 401 and expired.json()["code"] == "auth.expired_token"


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["admin"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


async def test_tampered_and_foreign_tokens_are_rejected(harness: Harness) -> None:
    _pid, raw = await harness.principal_with_key("dev", ["developer"])
    token = (await exchange(harness, raw))["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})

    tampered = _tamper(token)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered, JWT_SECRET, algorithms=["HS256"], audience="neo-service-layer")
    forgeries = {
        "tampered": tampered,
        "other secret": jwt.encode(claims, "x" * 64, algorithm="HS256"),
        "alg none": jwt.encode(claims, "", algorithm="none"),
        "other alg": jwt.encode(claims, JWT_SECRET, algorithm="HS512"),
        "other audience": jwt.encode(claims | {"aud": "elsewhere"}, JWT_SECRET, algorithm="HS256"),
        "other issuer": jwt.encode(claims | {"iss": "elsewhere"}, JWT_SECRET, algorithm="HS256"),
        "no version": jwt.encode(
            {k: v for k, v in claims.items() if k != "ver"}, JWT_SECRET, algorithm="HS256"
        ),
        "garbage": "not-a-jwt",
    }
    for label, forged in forgeries.items():
        response = await harness.http.get(ME, headers=bearer(forged))
        assert response.status_code == 401, label
        assert response.json()["code"] == "auth.invalid_token", label


async def test_refresh_rotates_and_reuse_revokes_the_whole_session(harness: Harness) -> None:
    _, raw = await harness.principal_with_key("dev", ["developer"])
    first = await exchange(harness, raw)
    second = await harness.http.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert (await harness.http.get(ME, headers=bearer(rotated["access_token"]))).status_code == 200

    reused = await harness.http.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401 and reused.json()["code"] == "auth.refresh_reused"
    after = await harness.http.post(REFRESH, json={"refresh_token": rotated["refresh_token"]})
    assert after.status_code == 401


async def test_refresh_token_expires(harness: Harness) -> None:
    _, raw = await harness.principal_with_key("dev", ["developer"])
    pair = await exchange(harness, raw)
    harness.clock.advance(30 * 24 * 3600)
    response = await harness.http.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 401 and response.json()["code"] == "auth.expired_token"


async def test_logout_revokes_the_session(harness: Harness) -> None:
    _, raw = await harness.principal_with_key("dev", ["developer"])
    pair = await exchange(harness, raw)
    out = await harness.http.post(
        "/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}
    )
    assert out.status_code == 204
    response = await harness.http.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 401


async def test_revoking_the_key_ends_sessions_it_opened(harness: Harness) -> None:
    _, raw = await harness.principal_with_key("dev", ["developer"])
    pair = await exchange(harness, raw)
    key_id = (await harness.http.get("/api/v1/auth/keys", headers={"X-API-Key": raw})).json()
    await harness.auth.revoke_api_key(key_id["items"][0]["id"])
    response = await harness.http.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 401


async def test_role_change_and_disable_invalidate_earlier_bearer_tokens(harness: Harness) -> None:
    dev = await harness.auth.create_principal("dev", "user", ["developer"], PASSWORD)
    token = (await harness.login("dev")).json()["access_token"]
    assert (await harness.http.get(ME, headers=bearer(token))).status_code == 200

    await harness.auth.update_principal(dev.id, roles=["user"])
    stale = await harness.http.get(ME, headers=bearer(token))
    assert stale.status_code == 401 and stale.json()["code"] == "auth.invalid_token"

    fresh = (await harness.login("dev")).json()["access_token"]
    assert (await harness.http.get(ME, headers=bearer(fresh))).json()["roles"] == ["user"]
    await harness.auth.update_principal(dev.id, disabled=True)
    disabled = await harness.http.get(ME, headers=bearer(fresh))
    assert disabled.status_code == 401 and disabled.json()["code"] == "auth.principal_disabled"
    relogin = await harness.login("dev")
    assert relogin.status_code == 401 and relogin.json()["code"] == "auth.principal_disabled"


async def test_token_request_takes_exactly_one_form(harness: Harness) -> None:
    both = await harness.http.post(TOKEN, json={"api_key": "nsl_x", "username": "dev"})
    assert both.status_code == 422 and both.json()["errors"][0]["field"] == "username"
    neither = await harness.http.post(TOKEN, json={})
    assert neither.status_code == 422 and neither.json()["errors"][0]["field"] == "username"
    no_password = await harness.http.post(TOKEN, json={"username": "dev"})
    assert no_password.json()["errors"][0]["field"] == "password"
    extra = await harness.http.post(TOKEN, json={"api_key": "nsl_x", "scope": "all"})
    assert extra.status_code == 422 and extra.json()["errors"][0]["field"] == "scope"
