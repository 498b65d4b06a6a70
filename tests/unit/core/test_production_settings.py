"""env=production refuses placeholder or short secrets, empty CORS, plain HTTP and an
unacknowledged software enclave and the embedded dev chains."""

from __future__ import annotations

import secrets

import pytest

from nsl.core.errors import SettingsError
from nsl.core.production import ensure_production_ready, production_problems
from nsl.core.settings import Settings

GOOD_SECRET = secrets.token_urlsafe(64)


def prod(**overrides: object) -> Settings:
    base: dict[str, object] = {
        "env": "production",
        "auth": {"jwt_secret": GOOD_SECRET},
        "http": {"cors_origins": ["https://app.example"], "tls_terminated_upstream": True},
        "enclave": {"provider": "pkcs11"},
        "chains": {"neo_n3": {"network": "mainnet"}, "neo_x": {"network": "mainnet"}},
    }
    base.update(overrides)
    return Settings(**base)  # type: ignore[arg-type]


def test_good_production_settings_pass() -> None:
    assert production_problems(prod()) == []


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"auth": {"jwt_secret": "short"}}, "shorter than 64"),
        ({"auth": {"jwt_secret": "your-secret-key-here-" + "a1b2c3d4e5f6g7h8" * 4}}, "placeholder"),
        ({"auth": {}}, "not set"),
        ({"http": {"cors_origins": [], "tls_terminated_upstream": True}}, "cors_origins is empty"),
        ({"http": {"cors_origins": ["https://a.example"]}}, "plain HTTP"),
        ({"http": {"cors_origins": ["*"], "tls_terminated_upstream": True}}, "not '*'"),
        ({"chains": {"neo_x": {"network": "mainnet"}}}, "chains.neo_n3 is the embedded dev chain"),
        ({"enclave": {"provider": "software"}}, "NSL_ENCLAVE__ALLOW_SOFTWARE=true"),
        ({"oracle": {"allow_loopback_sources": True}}, "oracle.allow_loopback_sources"),
    ],
)
def test_production_refuses(overrides: dict[str, object], fragment: str) -> None:
    with pytest.raises(SettingsError) as caught:
        ensure_production_ready(prod(**overrides))
    assert fragment in caught.value.detail


def test_development_is_not_checked() -> None:
    assert production_problems(Settings(env="development")) == []


def test_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NSL_DATABASE__URL", "postgresql://u:p@db/x")
    monkeypatch.setenv("NSL_SERVICES__CONFIGURATION__ENABLED", "false")
    monkeypatch.setenv("NSL_HTTP__CORS_ORIGINS", '["https://a.example"]')
    settings = Settings.load()
    assert settings.database.url is not None
    assert settings.database.url.get_secret_value() == "postgresql://u:p@db/x"
    assert "u:p" not in repr(settings)
    assert settings.service_enabled("configuration") is False
    assert settings.http.cors_origins == ["https://a.example"]


def test_secrets_dir_source(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    directory = Path(str(tmp_path))
    (directory / "nsl_bootstrap_admin_key").write_text("from-a-secret-file-" + "z" * 20)
    settings = Settings.load(secrets_dir=directory)
    assert settings.bootstrap_admin_key is not None
    assert settings.bootstrap_admin_key.get_secret_value().startswith("from-a-secret-file-")


def test_software_enclave_passes_when_explicitly_allowed() -> None:
    allowed = prod(enclave={"provider": "software", "allow_software": True})
    assert production_problems(allowed) == []
