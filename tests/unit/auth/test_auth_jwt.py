"""Access tokens: issued claims, verification against the injected clock, secret resolution."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest
from pydantic import SecretStr

from nsl.core.clock import ManualClock
from nsl.core.errors import NslError, SettingsError
from nsl.core.security import Role
from nsl.core.settings import AuthSettings, Settings
from nsl.services.auth.tokens import AccessTokens, resolve_jwt_secret

SECRET = b"s" * 16 + b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"


def codec(clock: ManualClock, **settings: object) -> AccessTokens:
    return AccessTokens(SECRET, AuthSettings(**settings), clock)  # type: ignore[arg-type]


def issue(tokens: AccessTokens) -> str:
    return tokens.issue(
        sub="p_1", name="alice", kind="user", roles=["user", "admin"], mfa=True, ver=3
    )


def test_issued_token_carries_the_documented_claims() -> None:
    clock = ManualClock()
    claims = codec(clock).verify(issue(codec(clock)))
    assert claims.sub == "p_1" and claims.name == "alice" and claims.kind == "user"
    assert claims.roles == frozenset({Role.USER, Role.ADMIN}) and claims.mfa is True
    assert claims.ver == 3 and claims.exp == int(clock.now().timestamp()) + 900

    raw = jwt.decode(issue(codec(clock)), options={"verify_signature": False})
    assert set(raw) == {
        "sub",
        "name",
        "kind",
        "roles",
        "iat",
        "exp",
        "iss",
        "aud",
        "jti",
        "mfa",
        "ver",
    }
    assert jwt.get_unverified_header(issue(codec(clock)))["alg"] == "HS256"


def test_expiry_follows_the_injected_clock() -> None:
    clock = ManualClock()
    tokens = codec(clock, access_token_ttl_s=60)
    token = issue(tokens)
    clock.advance(59)
    tokens.verify(token)
    clock.advance(1)
    with pytest.raises(NslError) as expired:
        tokens.verify(token)
    assert expired.value.code == "auth.expired_token" and expired.value.status == 401


def test_a_token_from_the_future_is_refused() -> None:
    clock = ManualClock()
    token = issue(codec(clock))
    clock.advance(-120)
    with pytest.raises(NslError) as refused:
        codec(clock).verify(token)
    assert refused.value.code == "auth.invalid_token"


def test_other_issuer_or_audience_is_refused() -> None:
    clock = ManualClock()
    token = issue(codec(clock, jwt_issuer="someone-else"))
    with pytest.raises(NslError):
        codec(clock).verify(token)
    token = issue(codec(clock, jwt_audience="someone-else"))
    with pytest.raises(NslError):
        codec(clock).verify(token)


def test_unknown_roles_are_refused_even_when_signed() -> None:
    clock = ManualClock()
    tokens = codec(clock)
    token = tokens.issue(sub="p_1", name="a", kind="user", roles=["wizard"], mfa=False, ver=0)
    with pytest.raises(NslError) as refused:
        tokens.verify(token)
    assert refused.value.code == "auth.invalid_token"


def test_repr_hides_the_secret() -> None:
    assert SECRET.decode() not in repr(codec(ManualClock()))


def test_development_secret_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    settings = Settings(env="development", data_dir=tmp_path / "data")
    first = resolve_jwt_secret(settings)
    path = tmp_path / "data" / "jwt-secret"
    assert len(first) == 128 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert resolve_jwt_secret(settings) == first


def test_configured_secret_wins_and_must_be_long_enough(tmp_path: Path) -> None:
    good = Settings(data_dir=tmp_path, auth=AuthSettings(jwt_secret=SecretStr("q" * 40)))
    assert resolve_jwt_secret(good) == b"q" * 40
    assert not (tmp_path / "jwt-secret").exists()
    short = Settings(data_dir=tmp_path, auth=AuthSettings(jwt_secret=SecretStr("short")))
    with pytest.raises(SettingsError):
        resolve_jwt_secret(short)


def test_production_without_a_secret_refuses(tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        resolve_jwt_secret(Settings(env="production", data_dir=tmp_path))
    assert not (tmp_path / "jwt-secret").exists()
