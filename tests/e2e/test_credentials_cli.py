"""``nsl credentials generate|rotate|retire|check`` and ``nsl config production`` as run."""

from __future__ import annotations

import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.e2e.conftest import run_nsl

from nsl.core.production import ensure_production_ready
from nsl.ops import envfile, prodconfig


def secret_values(path: Path) -> list[str]:
    env = envfile.read(path)
    return [v for n, v in env.items() if re.search(r"PASSWORD|SECRET|KEY|URL", n) and len(v) > 20]


def assert_no_secret_in(output: str, path: Path) -> None:
    for value in secret_values(path):
        assert value not in output


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".bak-*"))


def test_generate_writes_a_private_file_and_prints_only_names(tmp_path: Path) -> None:
    path = tmp_path / ".env.production"
    result = run_nsl("credentials", "generate", "--out", str(path), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(path) in result.stdout and "NSL_AUTH__JWT_SECRET" in result.stdout
    assert_no_secret_in(result.stdout + result.stderr, path)
    assert envfile.read(path).get("NSL_ENV") == "production"


def test_an_existing_file_is_refused_then_replaced_with_force_after_a_backup(
    tmp_path: Path,
) -> None:
    path = tmp_path / "prod.env"
    path.write_text("# mine\nNSL_LOG_LEVEL=DEBUG\n")
    refused = run_nsl("credentials", "generate", "--out", str(path), data_dir=tmp_path)
    assert refused.returncode == 1 and "already exists" in refused.stderr
    assert path.read_text() == "# mine\nNSL_LOG_LEVEL=DEBUG\n" and not backups(path)

    forced = run_nsl("credentials", "generate", "--out", str(path), "--force", data_dir=tmp_path)
    assert forced.returncode == 0, forced.stderr
    (backup,) = backups(path)
    assert backup.read_text() == "# mine\nNSL_LOG_LEVEL=DEBUG\n"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert str(backup) in forced.stdout
    assert envfile.read(path).get("NSL_AUTH__JWT_SECRET")


def test_rotate_then_check_then_retire(tmp_path: Path) -> None:
    path = tmp_path / ".env.production"
    assert run_nsl("credentials", "generate", "--out", str(path), data_dir=tmp_path).returncode == 0
    old = envfile.read(path).get("NSL_AUTH__JWT_SECRET")

    rotated = run_nsl("credentials", "rotate", "jwt_secret", "--file", str(path), data_dir=tmp_path)
    assert rotated.returncode == 0, rotated.stderr
    assert "NSL_AUTH__PREVIOUS_JWT_SECRETS" in rotated.stdout and "promote" in rotated.stdout
    assert_no_secret_in(rotated.stdout, path)
    promoted = run_nsl(
        "credentials", "promote", "jwt_secret", "--file", str(path), data_dir=tmp_path
    )
    assert promoted.returncode == 0, promoted.stderr
    assert "retire jwt_secret" in promoted.stdout
    assert_no_secret_in(promoted.stdout, path)
    assert old and old not in rotated.stdout + promoted.stdout
    settings = prodconfig.file_settings(path)
    assert [s.get_secret_value() for s in settings.auth.previous_jwt_secrets] == [old]

    db = run_nsl(
        "credentials", "rotate", "database_password", "--file", str(path), data_dir=tmp_path
    )
    assert db.returncode == 0, db.stderr
    assert "ALTER ROLE nsl PASSWORD" in db.stdout and '"$DB_PASSWORD"' in db.stdout
    assert_no_secret_in(db.stdout, path)

    fresh = run_nsl("credentials", "check", "--file", str(path), data_dir=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    assert "jwt_secret" in fresh.stdout and "rotated" in fresh.stdout

    retired = run_nsl("credentials", "retire", "jwt_secret", "--file", str(path), data_dir=tmp_path)
    assert retired.returncode == 0, retired.stderr
    assert prodconfig.file_settings(path).auth.previous_jwt_secrets == []

    unknown = run_nsl("credentials", "rotate", "master_key", "--file", str(path), data_dir=tmp_path)
    assert unknown.returncode != 0


def test_check_fails_when_a_credential_is_older_than_the_limit(tmp_path: Path) -> None:
    path = tmp_path / ".env.production"
    assert run_nsl("credentials", "generate", "--out", str(path), data_dir=tmp_path).returncode == 0
    env = envfile.read(path)
    old = datetime.now(UTC) - timedelta(days=45)
    env.set(
        "NSL_AUTH__JWT_SECRET",
        env.get("NSL_AUTH__JWT_SECRET") or "",
        stamp=envfile.Stamp("generated", old),
    )
    envfile.write(path, env, datetime.now(UTC))

    stale = run_nsl("credentials", "check", "--file", str(path), data_dir=tmp_path)
    assert stale.returncode == 1
    assert "jwt_secret" in stale.stderr and "45 days" in stale.stdout
    relaxed = run_nsl(
        "credentials", "check", "--file", str(path), "--max-age-days", "60", data_dir=tmp_path
    )
    assert relaxed.returncode == 0, relaxed.stderr
    missing = run_nsl("credentials", "check", "--file", str(tmp_path / "no.env"), data_dir=tmp_path)
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_config_production_makes_the_generated_file_production_ready(tmp_path: Path) -> None:
    path = tmp_path / ".env.production"
    assert run_nsl("credentials", "generate", "--out", str(path), data_dir=tmp_path).returncode == 0
    path.write_text(path.read_text() + "# operator note\nNSL_LOG_LEVEL=WARNING\n")

    partial = run_nsl(
        "config", "production", "--domain", "example.org", "--file", str(path), data_dir=tmp_path
    )
    assert partial.returncode == 0, partial.stderr
    assert "https://api.example.org" in partial.stdout and "still refuse" in partial.stdout

    done = run_nsl(
        "config",
        "production",
        "--file",
        str(path),
        "--neo-n3-network",
        "testnet",
        "--neo-x-network",
        "testnet",
        "--tls-terminated-upstream",
        "--allow-software-enclave",
        data_dir=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "passes the production checks" in done.stdout
    text = path.read_text()
    assert "# operator note\nNSL_LOG_LEVEL=WARNING\n" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(backups(path)) == 2
    settings = prodconfig.file_settings(path)
    ensure_production_ready(settings)
    assert settings.http.cors_origins == ["https://example.org", "https://api.example.org"]
    assert settings.log_level == "WARNING"

    for bad in ("https://example.org", "*.example.org", "example.org/x"):
        refused = run_nsl(
            "config", "production", "--domain", bad, "--file", str(path), data_dir=tmp_path
        )
        assert refused.returncode == 1 and "--domain" in refused.stderr
    assert len(backups(path)) == 2  # a refused edit touches nothing
