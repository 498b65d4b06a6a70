"""Generated credentials load as production settings; rotation keeps the overlap; ages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from nsl.core.masterkey import resolve_master_key
from nsl.core.production import ensure_production_ready
from nsl.enclave.keyring import load_keyring
from nsl.ops import credentials, envfile, prodconfig
from nsl.ops.credentials import CredentialsError, Endpoints
from nsl.services.auth.credentials import check_explicit_key
from nsl.services.auth.tokens import resolve_jwt_secret, resolve_previous_jwt_secrets

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def env_path(tmp_path: Path) -> Path:
    path = tmp_path / ".env.production"
    credentials.generate(path, NOW, force=False, endpoints=Endpoints(db_host="db.internal"))
    return path


def test_generated_file_with_production_config_passes_the_production_checks(
    env_path: Path,
) -> None:
    assert prodconfig.remaining_problems(env_path)  # credentials alone are not enough
    prodconfig.configure(
        env_path,
        NOW,
        domain="example.org",
        neo_n3_network="testnet",
        neo_x_network="testnet",
        tls_terminated_upstream=True,
        allow_software_enclave=True,
    )
    settings = prodconfig.file_settings(env_path)
    assert settings.env == "production"
    ensure_production_ready(settings)
    assert settings.http.cors_origins == ["https://example.org", "https://api.example.org"]
    assert settings.chains.neo_n3.network == "testnet"
    assert [e.get_secret_value() for e in settings.chains.neo_x.endpoints] == [
        "https://testnet.rpc.banelabs.org"
    ]
    # every credential is in the form its consumer accepts
    assert len(resolve_jwt_secret(settings)) >= 64
    assert len(resolve_master_key(settings)) == 32
    assert len(load_keyring(settings).keys[0]) == 32
    assert settings.bootstrap_admin_key is not None
    check_explicit_key(settings.bootstrap_admin_key.get_secret_value())
    assert settings.bootstrap_admin_key.get_secret_value().startswith("nsl_")
    db = urlsplit(settings.database.url.get_secret_value())  # type: ignore[union-attr]
    env = envfile.read(env_path)
    assert (db.scheme, db.username, db.hostname, db.port) == (
        "postgresql",
        "nsl",
        "db.internal",
        5432,
    )
    assert db.password == env.get("DB_PASSWORD")


def test_every_generation_draws_new_values(tmp_path: Path) -> None:
    first, second = tmp_path / "a.env", tmp_path / "b.env"
    credentials.generate(first, NOW, force=False, endpoints=Endpoints())
    credentials.generate(second, NOW, force=False, endpoints=Endpoints())
    a, b = envfile.read(first), envfile.read(second)
    for variable in credentials.STAMPED.values():
        assert a.get(variable) and a.get(variable) != b.get(variable)


def test_an_existing_file_is_refused_without_force_and_backed_up_with_it(env_path: Path) -> None:
    before = env_path.read_text()
    with pytest.raises(CredentialsError, match="already exists"):
        credentials.generate(env_path, NOW, force=False, endpoints=Endpoints())
    assert env_path.read_text() == before
    written = credentials.generate(env_path, NOW, force=True, endpoints=Endpoints())
    assert written.backup is not None and written.backup.read_text() == before
    assert env_path.read_text() != before


def test_jwt_rotation_stages_then_promotes_then_retires(env_path: Path) -> None:
    later = NOW + timedelta(days=31)
    old = (envfile.read(env_path).get("NSL_AUTH__JWT_SECRET") or "").encode()

    staged = credentials.rotate(env_path, "jwt_secret", later)
    assert staged.backup is not None and "promote jwt_secret" in staged.next_steps
    settings = prodconfig.file_settings(env_path)
    (new,) = resolve_previous_jwt_secrets(settings)
    assert resolve_jwt_secret(settings) == old and new != old  # accepted, not yet signing
    with pytest.raises(CredentialsError, match="already staged"):
        credentials.rotate(env_path, "jwt_secret", later)
    with pytest.raises(CredentialsError, match="promote"):
        credentials.retire(env_path, "jwt_secret", later)

    promoted = credentials.promote(env_path, later)
    assert "retire jwt_secret" in promoted.next_steps
    settings = prodconfig.file_settings(env_path)
    assert resolve_jwt_secret(settings) == new
    assert resolve_previous_jwt_secrets(settings) == (old,)
    assert envfile.read(env_path).stamp("NSL_AUTH__JWT_SECRET") == envfile.Stamp("rotated", later)
    ensure_production_ready_after_config(env_path)
    with pytest.raises(CredentialsError, match="no JWT secret is staged"):
        credentials.promote(env_path, later)

    credentials.retire(env_path, "jwt_secret", later)
    assert prodconfig.file_settings(env_path).auth.previous_jwt_secrets == []
    with pytest.raises(CredentialsError, match="no previous value"):
        credentials.retire(env_path, "jwt_secret", later)


def ensure_production_ready_after_config(path: Path) -> None:
    prodconfig.configure(
        path,
        NOW,
        domain="example.org",
        neo_n3_network="mainnet",
        neo_x_network="mainnet",
        tls_terminated_upstream=True,
        allow_software_enclave=True,
    )
    ensure_production_ready(prodconfig.file_settings(path))


@pytest.mark.parametrize(
    ("name", "variable", "url_variable"),
    [
        ("database_password", "DB_PASSWORD", "NSL_DATABASE__URL"),
        ("redis_password", "REDIS_PASSWORD", "NSL_REDIS__URL"),
        ("rabbitmq_password", "RABBITMQ_PASSWORD", "NSL_RABBITMQ__URL"),
    ],
)
def test_password_rotation_updates_the_url_and_keeps_the_previous_password(
    env_path: Path, name: str, variable: str, url_variable: str
) -> None:
    before = envfile.read(env_path)
    old_url = urlsplit(before.get(url_variable) or "")
    written = credentials.rotate(env_path, name, NOW)
    after = envfile.read(env_path)
    new_url = urlsplit(after.get(url_variable) or "")
    assert after.get(f"{variable}_PREVIOUS") == before.get(variable)
    assert new_url.password == after.get(variable) != before.get(variable)
    assert (new_url.username, new_url.hostname, new_url.port, new_url.path) == (
        old_url.username,
        old_url.hostname,
        old_url.port,
        old_url.path,
    )
    assert after.stamp(variable) == envfile.Stamp("rotated", NOW)
    text = written.next_steps + json.dumps(written.variables)
    for secret in (after.get(variable), before.get(variable)):
        assert secret and secret not in text


def test_master_keys_are_not_rotated_here(env_path: Path) -> None:
    with pytest.raises(CredentialsError, match="rotate-master"):
        credentials.rotate(env_path, "enclave_master_key", NOW)
    with pytest.raises(CredentialsError, match="unknown credential"):
        credentials.rotate(env_path, "nope", NOW)


def test_ages_flag_rotatable_credentials_past_the_limit(env_path: Path) -> None:
    limit = timedelta(days=30)
    assert not [a for a in credentials.ages(env_path, NOW + limit) if a.too_old(limit)]
    later = NOW + limit + timedelta(hours=1)
    credentials.rotate(env_path, "redis_password", later)
    stale = {a.name for a in credentials.ages(env_path, later) if a.too_old(limit)}
    assert stale == {"jwt_secret", "database_password", "rabbitmq_password"}


@pytest.mark.parametrize(
    "domain",
    [
        "https://example.org",
        "example.org/path",
        "*.example.org",
        "localhost",
        "example.org:443",
        "1.2.3.4",
        "exa mple.org",
        "-bad.example.org",
        "",
    ],
)
def test_domains_that_are_not_host_names_are_refused(domain: str) -> None:
    with pytest.raises(CredentialsError):
        prodconfig.check_domain(domain)


def test_a_domain_is_normalised() -> None:
    assert prodconfig.check_domain("API.Example.ORG.") == "api.example.org"


def test_bad_endpoint_options_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="--db-host"):
        credentials.generate(
            tmp_path / "x.env", NOW, force=False, endpoints=Endpoints(db_host="a/b")
        )
    assert not (tmp_path / "x.env").exists()
