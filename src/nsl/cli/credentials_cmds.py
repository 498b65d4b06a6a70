"""``nsl credentials generate|rotate|retire|check`` and ``nsl config production``.

Thin wrappers over :mod:`nsl.ops.credentials` and :mod:`nsl.ops.prodconfig`: they print the
file, its backup and the variable names, never a value.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import typer

from nsl.ops import credentials, prodconfig
from nsl.ops.credentials import CredentialsError, Written

credentials_app = typer.Typer(help="Production credentials in the env file.", no_args_is_help=True)
FILE_HELP = "The production environment file."


class Rotatable(StrEnum):
    jwt_secret = "jwt_secret"
    database_password = "database_password"
    redis_password = "redis_password"
    rabbitmq_password = "rabbitmq_password"


class Jwt(StrEnum):
    jwt_secret = "jwt_secret"


class ChainNetwork(StrEnum):
    mainnet = "mainnet"
    testnet = "testnet"


def _now() -> datetime:
    return datetime.now(UTC)


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(1)


def _report(action: str, written: Written) -> None:
    typer.echo(f"{action} {written.path} (mode 0600)")
    if written.backup is not None:
        typer.echo(f"previous file kept as {written.backup} (mode 0600)")
    for name in written.variables:
        typer.echo(f"  {name}")


@credentials_app.command("generate")
def generate(
    out: Path = typer.Option(credentials.DEFAULT_FILE, "--out", help=FILE_HELP),
    force: bool = typer.Option(False, help="Replace an existing file (a backup is kept)."),
    db_host: str = typer.Option("127.0.0.1"),
    db_port: int = typer.Option(5432),
    db_name: str = typer.Option("nsl"),
    db_user: str = typer.Option("nsl"),
    redis_host: str = typer.Option("127.0.0.1"),
    redis_port: int = typer.Option(6379),
    redis_user: str = typer.Option("default", help="Redis ACL user ('default': requirepass)."),
    rabbitmq_host: str = typer.Option("127.0.0.1"),
    rabbitmq_port: int = typer.Option(5672),
    rabbitmq_user: str = typer.Option("nsl"),
) -> None:
    """Write a new production env file with strong random credentials (values not printed)."""
    endpoints = credentials.Endpoints(
        db_host=db_host,
        db_port=db_port,
        db_name=db_name,
        db_user=db_user,
        redis_host=redis_host,
        redis_port=redis_port,
        redis_user=redis_user,
        rabbitmq_host=rabbitmq_host,
        rabbitmq_port=rabbitmq_port,
        rabbitmq_user=rabbitmq_user,
    )
    try:
        written = credentials.generate(out, _now(), force=force, endpoints=endpoints)
    except (CredentialsError, OSError) as exc:
        raise _fail(exc) from exc
    _report("wrote", written)
    typer.echo(
        "next: nsl config production --domain DOMAIN --file "
        f"{out} (origins, chain networks, TLS mode)"
    )


@credentials_app.command("rotate")
def rotate(
    name: Rotatable = typer.Argument(..., help="The credential to give a new value."),
    file: Path = typer.Option(credentials.DEFAULT_FILE, "--file", help=FILE_HELP),
) -> None:
    """New value for one credential, the previous kept (jwt_secret: staged until 'promote')."""
    try:
        written = credentials.rotate(file, name.value, _now())
    except (CredentialsError, OSError) as exc:
        raise _fail(exc) from exc
    _report("updated", written)
    typer.echo("next steps (docs/operations-credentials.md):")
    typer.echo(written.next_steps)


@credentials_app.command("promote")
def promote(
    name: Jwt = typer.Argument(..., help="Only jwt_secret is staged before use."),
    file: Path = typer.Option(credentials.DEFAULT_FILE, "--file", help=FILE_HELP),
) -> None:
    """Sign with the JWT secret 'rotate' staged, once every process accepts it."""
    try:
        written = credentials.promote(file, _now())
    except (CredentialsError, OSError) as exc:
        raise _fail(exc) from exc
    _report("updated", written)
    typer.echo("next steps (docs/operations-credentials.md):")
    typer.echo(written.next_steps)


@credentials_app.command("retire")
def retire(
    name: Rotatable = typer.Argument(..., help="The credential whose previous value to drop."),
    file: Path = typer.Option(credentials.DEFAULT_FILE, "--file", help=FILE_HELP),
) -> None:
    """Drop the previous value kept by 'rotate', once every process uses the new one."""
    try:
        written = credentials.retire(file, name.value, _now())
    except (CredentialsError, OSError) as exc:
        raise _fail(exc) from exc
    _report("updated", written)
    typer.echo("roll every process again so none accepts the previous value")


@credentials_app.command("check")
def check(
    file: Path = typer.Option(credentials.DEFAULT_FILE, "--file", help=FILE_HELP),
    max_age_days: int = typer.Option(credentials.MAX_AGE_DAYS, min=1),
) -> None:
    """Each credential's age; exit 1 when one that 'rotate' handles is older than the limit."""
    try:
        found = credentials.ages(file, _now())
    except (CredentialsError, OSError) as exc:
        raise _fail(exc) from exc
    limit = timedelta(days=max_age_days)
    stale = [a for a in found if a.too_old(limit)]
    for age in found:
        when = f"{age.stamp.kind} {age.stamp.at.isoformat()}" if age.stamp else "no date recorded"
        days = f"{age.age.days} days" if age.age is not None else "age unknown"
        verdict = "ROTATE" if age in stale else ("ok" if age.rotated_here else "not rotated here")
        typer.echo(f"{age.name:<20} {age.variable:<26} {days:>12}  {when}  {verdict}")
    if stale:
        names = ", ".join(a.name for a in stale)
        typer.echo(
            f"older than {max_age_days} days: {names}: run 'nsl credentials rotate NAME'", err=True
        )
        raise typer.Exit(1)


def config_production(
    domain: str | None = typer.Option(None, help="Production host name, e.g. example.org."),
    file: Path = typer.Option(credentials.DEFAULT_FILE, "--file", help=FILE_HELP),
    neo_n3_network: ChainNetwork | None = typer.Option(None, help="mainnet or testnet."),
    neo_x_network: ChainNetwork | None = typer.Option(None, help="mainnet or testnet."),
    tls_terminated_upstream: bool | None = typer.Option(
        None,
        "--tls-terminated-upstream/--tls-in-process",
        help="A load balancer terminates TLS (else set NSL_HTTP__TLS_CERT_FILE/KEY_FILE).",
    ),
    allow_software_enclave: bool | None = typer.Option(
        None,
        "--allow-software-enclave/--no-software-enclave",
        help="Accept the software enclave provider in production.",
    ),
) -> None:
    """Set allowed origins, chain networks and TLS mode in the env file; report what is left."""
    try:
        written = prodconfig.configure(
            file,
            _now(),
            domain=domain,
            neo_n3_network=neo_n3_network.value if neo_n3_network else None,
            neo_x_network=neo_x_network.value if neo_x_network else None,
            tls_terminated_upstream=tls_terminated_upstream,
            allow_software_enclave=allow_software_enclave,
        )
        problems = prodconfig.remaining_problems(file)
    except (CredentialsError, OSError) as exc:
        raise _fail(exc) from exc
    _report("updated", written)
    if domain is not None:
        host = prodconfig.check_domain(domain)
        typer.echo(f"allowed origins: {', '.join(prodconfig.origins(host))}")
        typer.echo(f"public API URL: https://api.{host} (nsl smoke https://api.{host})")
    if problems:
        typer.echo("production would still refuse to start:")
        for problem in problems:
            typer.echo(f"  - {problem}")
    else:
        typer.echo("the file passes the production checks")
