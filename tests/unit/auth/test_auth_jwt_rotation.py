"""JWT secret rotation: tokens signed with a previous secret verify until they expire."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from pydantic import SecretStr

from nsl.core.clock import ManualClock
from nsl.core.errors import NslError, SettingsError
from nsl.core.settings import AuthSettings, Settings
from nsl.services.auth.tokens import AccessTokens, resolve_jwt_secret, resolve_previous_jwt_secrets

OLD = secrets.token_urlsafe(64)
NEW = secrets.token_urlsafe(64)


def tokens_for(settings: Settings, clock: ManualClock) -> AccessTokens:
    """What the auth service builds at start from these settings."""
    return AccessTokens(
        resolve_jwt_secret(settings),
        settings.auth,
        clock,
        resolve_previous_jwt_secrets(settings),
    )


def issue(tokens: AccessTokens) -> str:
    return tokens.issue(sub="p_1", name="alice", kind="user", roles=["user"], mfa=False, ver=1)


def rotated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *previous: str) -> Settings:
    """Settings as a process reads them from its environment after the rotation."""
    monkeypatch.setenv("NSL_AUTH__JWT_SECRET", NEW)
    monkeypatch.setenv("NSL_AUTH__PREVIOUS_JWT_SECRETS", json.dumps(list(previous)))
    monkeypatch.setenv("NSL_DATA_DIR", str(tmp_path))
    return Settings.load()


def test_a_token_signed_before_the_rotation_still_verifies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clock = ManualClock()
    before = tokens_for(
        Settings(data_dir=tmp_path, auth=AuthSettings(jwt_secret=SecretStr(OLD))), clock
    )
    old_token = issue(before)

    after = tokens_for(rotated_settings(monkeypatch, tmp_path, OLD), clock)
    assert after.verify(old_token).sub == "p_1"
    new_token = issue(after)
    assert after.verify(new_token).sub == "p_1"
    with pytest.raises(NslError) as refused:  # new tokens use the new secret only
        before.verify(new_token)
    assert refused.value.code == "auth.invalid_token"

    clock.advance(after.ttl_s)  # the old token expires like any other
    with pytest.raises(NslError) as expired:
        after.verify(old_token)
    assert expired.value.code == "auth.expired_token"


def test_a_token_signed_with_an_unknown_secret_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clock = ManualClock()
    stranger = tokens_for(
        Settings(
            data_dir=tmp_path, auth=AuthSettings(jwt_secret=SecretStr(secrets.token_urlsafe(64)))
        ),
        clock,
    )
    after = tokens_for(rotated_settings(monkeypatch, tmp_path, OLD), clock)
    with pytest.raises(NslError) as refused:
        after.verify(issue(stranger))
    assert refused.value.code == "auth.invalid_token"


def test_once_the_previous_secret_is_retired_its_tokens_are_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clock = ManualClock()
    before = Settings(data_dir=tmp_path, auth=AuthSettings(jwt_secret=SecretStr(OLD)))
    old_token = issue(tokens_for(before, clock))
    retired = tokens_for(rotated_settings(monkeypatch, tmp_path), clock)
    with pytest.raises(NslError) as refused:
        retired.verify(old_token)
    assert refused.value.code == "auth.invalid_token"


def test_a_short_previous_secret_is_a_settings_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError):
        resolve_previous_jwt_secrets(rotated_settings(monkeypatch, tmp_path, "short"))


def test_while_a_secret_is_staged_tokens_from_promoted_processes_verify_on_the_others(
    tmp_path: Path,
) -> None:
    """Staged: this process signs with OLD and accepts NEW; a promoted one signs with NEW."""
    clock = ManualClock()
    staged = tokens_for(
        Settings(
            data_dir=tmp_path,
            auth=AuthSettings(jwt_secret=SecretStr(OLD), previous_jwt_secrets=[SecretStr(NEW)]),
        ),
        clock,
    )
    promoted = tokens_for(
        Settings(
            data_dir=tmp_path,
            auth=AuthSettings(jwt_secret=SecretStr(NEW), previous_jwt_secrets=[SecretStr(OLD)]),
        ),
        clock,
    )
    assert staged.verify(issue(promoted)).sub == "p_1"
    assert promoted.verify(issue(staged)).sub == "p_1"
