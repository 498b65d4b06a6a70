"""TOTP: enrolment, sign-in with a second factor, replay refusal, and the require_totp guard."""

from __future__ import annotations

import httpx
import jwt
import pyotp
import pytest
from auth_harness import PASSWORD, Harness, build_app, make_context, make_settings
from pydantic import SecretStr
from sqlalchemy import text

from nsl.core.errors import NslError
from nsl.services.auth.service import AuthService

ENROLL = "/api/v1/auth/totp/enroll"
CONFIRM = "/api/v1/auth/totp/confirm"


async def enrolled_user(h: Harness, name: str = "alice") -> tuple[str, str, pyotp.TOTP]:
    """A user with TOTP enabled: (principal id, API key, an independent pyotp TOTP)."""
    pid, raw = await h.principal_with_key(name, ["user"], PASSWORD)
    enrolment = await h.http.post(ENROLL, headers={"X-API-Key": raw})
    assert enrolment.status_code == 200
    body = enrolment.json()
    parsed = pyotp.parse_uri(body["otpauth_uri"])
    assert parsed.secret == body["secret"] and parsed.name == name
    authenticator = pyotp.TOTP(body["secret"])
    code = authenticator.at(h.clock.now())
    assert (
        await h.http.post(CONFIRM, json={"code": code}, headers={"X-API-Key": raw})
    ).status_code == 204
    h.clock.advance(30)
    return pid, raw, authenticator


async def test_enrolled_user_needs_a_code_to_sign_in(harness: Harness) -> None:
    _, raw, authenticator = await enrolled_user(harness)
    me = await harness.http.get("/api/v1/auth/me", headers={"X-API-Key": raw})
    assert me.json()["totp_enabled"] is True

    missing = await harness.login("alice")
    assert missing.status_code == 401 and missing.json()["code"] == "auth.totp_required"
    wrong = await harness.login("alice", totp_code="000000")
    assert wrong.status_code == 401 and wrong.json()["code"] == "auth.invalid_totp"

    code = authenticator.at(harness.clock.now())
    signed_in = await harness.login("alice", totp_code=code)
    assert signed_in.status_code == 200
    claims = jwt.decode(signed_in.json()["access_token"], options={"verify_signature": False})
    assert claims["mfa"] is True

    replay = await harness.login("alice", totp_code=code)
    assert replay.status_code == 401 and replay.json()["code"] == "auth.invalid_totp"
    harness.clock.advance(30)
    assert (
        await harness.login("alice", totp_code=authenticator.at(harness.clock.now()))
    ).status_code == 200


async def test_secret_is_stored_sealed(harness: Harness) -> None:
    pid, raw = await harness.principal_with_key("alice", ["user"])
    secret = (await harness.http.post(ENROLL, headers={"X-API-Key": raw})).json()["secret"]
    async with harness.database.session() as session:
        stored = await session.scalar(
            text("SELECT totp_secret FROM auth_principals WHERE id = :id"), {"id": pid}
        )
    assert bytes(stored).startswith(b"v1") and secret.encode() not in bytes(stored)


async def test_require_totp_guard_accepts_each_code_once(harness: Harness) -> None:
    _, raw, authenticator = await enrolled_user(harness)
    headers = {"X-API-Key": raw}
    missing = await harness.http.post("/test/sensitive", headers=headers)
    assert missing.status_code == 403 and missing.json()["code"] == "auth.totp_required"

    code = authenticator.at(harness.clock.now())
    ok = await harness.http.post("/test/sensitive", headers=headers | {"X-TOTP-Code": code})
    assert ok.status_code == 200
    replay = await harness.http.post("/test/sensitive", headers=headers | {"X-TOTP-Code": code})
    assert replay.status_code == 403 and replay.json()["code"] == "auth.invalid_totp"


async def test_codes_one_step_either_side_are_accepted(harness: Harness) -> None:
    pid, _, authenticator = await enrolled_user(harness)
    harness.clock.advance(30)  # the step before now was never used
    previous = authenticator.at(harness.clock.now().timestamp() - 30)
    await harness.auth.verify_totp(pid, previous)
    harness.clock.advance(60)
    too_old = authenticator.at(harness.clock.now().timestamp() - 60)
    with pytest.raises(NslError) as refused:
        await harness.auth.verify_totp(pid, too_old)
    assert refused.value.code == "auth.invalid_totp"
    ahead = authenticator.at(harness.clock.now().timestamp() + 30)
    await harness.auth.verify_totp(pid, ahead)


async def test_verify_totp_without_enrolment_is_forbidden(harness: Harness) -> None:
    _pid, raw = await harness.principal_with_key("bob", ["user"])
    response = await harness.http.post(
        "/test/sensitive", headers={"X-API-Key": raw, "X-TOTP-Code": "123456"}
    )
    assert response.status_code == 403 and response.json()["code"] == "auth.totp_not_enrolled"


async def test_disable_needs_a_valid_code_and_turns_the_factor_off(harness: Harness) -> None:
    _, raw, authenticator = await enrolled_user(harness)
    headers = {"X-API-Key": raw}
    bad = await harness.http.post(
        "/api/v1/auth/totp/disable", json={"code": "123456"}, headers=headers
    )
    assert bad.status_code == 401
    code = authenticator.at(harness.clock.now())
    off = await harness.http.post("/api/v1/auth/totp/disable", json={"code": code}, headers=headers)
    assert off.status_code == 204
    assert (await harness.login("alice")).status_code == 200


async def test_service_principals_cannot_enrol(harness: Harness) -> None:
    svc = await harness.auth.create_principal("robot", "service", ["service"])
    _, raw = await harness.auth.create_api_key(svc.id, "robot-key")
    response = await harness.http.post(ENROLL, headers={"X-API-Key": raw})
    assert response.status_code == 409 and response.json()["code"] == "auth.totp_state"


async def test_enrolment_survives_a_jwt_secret_rotation(harness: Harness) -> None:
    """TOTP secrets are sealed under the platform master key, not under the JWT secret."""
    _, _, authenticator = await enrolled_user(harness)
    await harness.auth.stop()
    settings = make_settings(harness.data_dir)
    settings.auth.jwt_secret = SecretStr("rotated-" + "Z3x9q" * 12)
    ctx = make_context(settings, harness.database, harness.clock, harness.auth.ctx.metrics)
    rotated = AuthService(ctx, passwords=harness.auth.passwords)
    await rotated.start()
    try:
        transport = httpx.ASGITransport(app=build_app(rotated))
        async with httpx.AsyncClient(transport=transport, base_url="http://auth.test") as http:
            code = authenticator.at(harness.clock.now())
            response = await http.post(
                "/api/v1/auth/token",
                json={"username": "alice", "password": PASSWORD, "totp_code": code},
            )
        assert response.status_code == 200, response.text
    finally:
        await rotated.stop()
