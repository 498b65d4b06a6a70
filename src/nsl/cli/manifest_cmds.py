"""``nsl manifests generate|kubectl-env``: the compose and Kubernetes files, from the catalogue.

Backup CronJobs are emitted only for the ``nsl backup`` commands this CLI really has.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import typer

from nsl import __version__
from nsl.ops import envfile
from nsl.ops.credentials import CredentialsError
from nsl.ops.manifests.build import build
from nsl.ops.manifests.env import SECRET_NAME
from nsl.ops.manifests.kubectl_env import write_kubectl_env
from nsl.ops.manifests.spec import BACKUP_JOBS, NAMESPACE, BackupJob
from nsl.ops.manifests.write import check, write
from nsl.ops.prodconfig import check_domain

manifests_app = typer.Typer(
    help="Deployment manifests (compose, Kubernetes).", no_args_is_help=True
)


def offers(command: object, argv: tuple[str, ...]) -> bool:
    """Whether ``argv`` (e.g. ``("backup", "full")``) names a command under ``command`` (a
    command tree from ``typer.main.get_command``: groups have a ``commands`` mapping)."""
    for word in argv:
        children = getattr(command, "commands", None)
        if not isinstance(children, Mapping) or word not in children:
            return False
        command = children[word]
    return True


def offered_backups(root: object) -> list[BackupJob]:
    return [job for job in BACKUP_JOBS if offers(root, job.argv)]


def expected_files(image: str | None = None, domain: str | None = None) -> dict[str, str]:
    """What ``generate`` writes for this installation (its catalogue, version and CLI)."""
    from nsl.cli.main import app  # here: main imports this module

    jobs = offered_backups(typer.main.get_command(app))
    return build(__version__, image=image, backup_jobs=jobs, domain=domain)


@manifests_app.command("generate")
def generate(
    out: Path = typer.Option(Path("deploy"), help="Directory holding compose/ and k8s/."),
    check_only: bool = typer.Option(
        False, "--check", help="Write nothing; exit 1 listing files that differ."
    ),
    image: str | None = typer.Option(
        None, help="Image for every nsl container (default ghcr.io/neo-service-layer/nsl:VERSION)."
    ),
    domain: str | None = typer.Option(None, help="Ingress host api.DOMAIN (default: any host)."),
) -> None:
    """Write deploy/compose and deploy/k8s from the catalogue and the deployment spec."""
    try:
        host = check_domain(domain) if domain is not None else None
    except CredentialsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    files = expected_files(image, host)
    if check_only:
        differences = check(out, files)
        for difference in differences:
            typer.echo(f"{difference.reason}: {difference.path}")
        if differences:
            typer.echo(f"{len(differences)} file(s) differ: run 'nsl manifests generate'", err=True)
            raise typer.Exit(1)
        typer.echo(f"{len(files)} files up to date under {out}")
        return
    changes = write(out, files)
    for change in changes:
        verb = "removed" if change.reason == "stale" else "wrote"
        typer.echo(f"{verb} {change.path}")
    typer.echo(f"{len(files)} files under {out} ({len(changes)} changed)")


@manifests_app.command("kubectl-env")
def kubectl_env(
    env_file: Path = typer.Option(Path(".env.production"), help="From nsl credentials generate."),
    out: Path = typer.Option(Path(".env.kubectl"), help="The file for --from-env-file (0600)."),
) -> None:
    """Rewrite the env file unquoted for 'kubectl create secret generic --from-env-file'."""
    try:
        names = write_kubectl_env(env_file, out, datetime.now(UTC))
    except envfile.EnvFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"wrote {out} (mode 0600): {len(names)} variables")
    typer.echo(
        f"then: kubectl -n {NAMESPACE} create secret generic {SECRET_NAME} --from-env-file={out}"
    )
