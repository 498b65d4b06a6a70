"""``nsl manifests``: the committed files are what the generator writes; --check finds drift;
backup CronJobs only for commands the CLI has; the env file rewritten for kubectl."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from nsl.cli.main import app
from nsl.cli.manifest_cmds import expected_files, offered_backups, offers
from nsl.ops import credentials, envfile, prodconfig
from nsl.ops.credentials import Endpoints
from nsl.ops.manifests.env import SECRET_VARIABLES
from nsl.ops.manifests.kubectl_env import write_kubectl_env
from nsl.ops.manifests.render import HEADER
from nsl.ops.manifests.spec import BACKUP_JOBS

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_the_committed_manifests_are_exactly_what_the_generator_writes() -> None:
    result = CliRunner().invoke(
        app, ["manifests", "generate", "--check", "--out", str(REPO / "deploy")]
    )
    assert result.exit_code == 0, result.output  # if not: run `nsl manifests generate`


def test_check_reports_missing_changed_and_stale_files_and_generate_repairs_them(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    out = tmp_path / "deploy"
    first = runner.invoke(app, ["manifests", "generate", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert (
        runner.invoke(app, ["manifests", "generate", "--check", "--out", str(out)]).exit_code == 0
    )
    (out / "compose" / "phase1.yml").write_text("edited by hand\n")
    (out / "k8s" / "80-ingress.yaml").unlink()
    stale = out / "k8s" / "20-nsl-retired.yaml"
    stale.write_text(HEADER + "kind: Deployment\n")
    own = out / "k8s" / "99-operator.yaml"
    own.write_text("kind: ConfigMap\n")  # no generator header: never touched
    checked = runner.invoke(app, ["manifests", "generate", "--check", "--out", str(out)])
    assert checked.exit_code == 1
    assert f"differs: {out / 'compose' / 'phase1.yml'}" in checked.output
    assert f"missing: {out / 'k8s' / '80-ingress.yaml'}" in checked.output
    assert f"stale: {stale}" in checked.output
    assert "99-operator" not in checked.output
    repaired = runner.invoke(app, ["manifests", "generate", "--out", str(out)])
    assert repaired.exit_code == 0 and f"removed {stale}" in repaired.output
    assert not stale.exists() and own.read_text() == "kind: ConfigMap\n"
    assert (
        runner.invoke(app, ["manifests", "generate", "--check", "--out", str(out)]).exit_code == 0
    )
    assert stat.S_IMODE((out / "compose" / "infra.yml").stat().st_mode) == 0o644


def test_generation_is_deterministic_and_names_the_image_once() -> None:
    assert expected_files() == expected_files()
    custom = expected_files(image="registry.internal/nsl:candidate")
    assert "registry.internal/nsl:candidate" in custom["k8s/10-nsl-gateway.yaml"]
    assert "ghcr.io/neo-service-layer/nsl" not in "".join(custom.values())


def test_a_bad_domain_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    out = tmp_path / "deploy"
    result = CliRunner().invoke(
        app, ["manifests", "generate", "--out", str(out), "--domain", "https://x.org/"]
    )
    assert result.exit_code == 2 and "host name" in result.output
    assert not out.exists()


def test_backup_cronjobs_follow_the_backup_commands_the_cli_offers() -> None:
    with_backup = typer.Typer()
    backup = typer.Typer()

    @backup.command("full")
    def full() -> None:
        """Full backup."""

    @backup.command("verify")
    def verify() -> None:
        """Not a scheduled kind."""

    with_backup.add_typer(backup, name="backup")
    root = typer.main.get_command(with_backup)
    assert offers(root, ("backup", "full")) and not offers(root, ("backup", "incremental"))
    assert [j.kind for j in offered_backups(root)] == ["full"]
    # the real CLI: a CronJob for each offered command, and each runs a command that exists
    real = typer.main.get_command(app)
    crons = [
        doc
        for text in expected_files().values()
        for doc in yaml.safe_load_all(text)
        if doc and doc.get("kind") == "CronJob"
    ]
    assert sorted(c["metadata"]["name"] for c in crons) == sorted(
        f"nsl-backup-{j.kind}" for j in offered_backups(real)
    )
    for cron in crons:
        spec = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert offers(real, tuple(spec["containers"][0]["command"][1:]))
    assert {j.kind for j in BACKUP_JOBS} == {"full", "incremental"}


def test_the_secret_variables_are_those_credentials_generate_writes(tmp_path: Path) -> None:
    path = tmp_path / ".env.production"
    written = credentials.generate(path, NOW, force=False, endpoints=Endpoints())
    assert tuple(written.variables) == SECRET_VARIABLES


def test_the_kubectl_env_file_holds_every_value_unquoted(tmp_path: Path) -> None:
    source = tmp_path / ".env.production"
    credentials.generate(source, NOW, force=False, endpoints=Endpoints(db_host="postgres"))
    prodconfig.configure(source, NOW, domain="example.org", tls_terminated_upstream=True)
    env = envfile.read(source)
    assert "'" in source.read_text()  # the JSON lists are quoted in the env file
    target = tmp_path / ".env.kubectl"
    result = CliRunner().invoke(
        app, ["manifests", "kubectl-env", "--env-file", str(source), "--out", str(target)]
    )
    assert result.exit_code == 0, result.output
    for variable in (*credentials.STAMPED.values(), "NSL_DATABASE__URL"):
        assert env.get(variable) and env.get(variable) not in result.output, variable
    read_by_kubectl = dict(line.split("=", 1) for line in target.read_text().splitlines())
    assert read_by_kubectl == dict(env.items())
    assert json.loads(read_by_kubectl["NSL_HTTP__CORS_ORIGINS"]) == [
        "https://example.org",
        "https://api.example.org",
    ]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "nsl-credentials" in result.output


def test_kubectl_env_refuses_to_overwrite_its_source(tmp_path: Path) -> None:
    source = tmp_path / ".env.production"
    credentials.generate(source, NOW, force=False, endpoints=Endpoints())
    before = source.read_text()
    with pytest.raises(envfile.EnvFileError, match="must not replace"):
        write_kubectl_env(source, source, NOW)
    assert source.read_text() == before
