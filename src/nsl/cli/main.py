"""``nsl``: the command-line entry point."""

from __future__ import annotations

import typer

from nsl.cli import (
    admin_cmds,
    backup_cmds,
    chain_cmds,
    contract_cmds,
    credentials_cmds,
    manifest_cmds,
    ops_cmds,
    security_cmds,
    serve_cmds,
)
from nsl.cli.certs_cmds import certs_app
from nsl.cli.deploy_cmds import deploy_app
from nsl.cli.dr_cmds import dr_test
from nsl.cli.monitoring_cmds import monitoring_app

app = typer.Typer(
    name="nsl",
    help="Neo Service Layer: off-chain services for Neo N3 and Neo X.",
    no_args_is_help=True,
)
app.command("up")(serve_cmds.up)
app.command("serve")(serve_cmds.serve_one)
app.command("health")(admin_cmds.health)
app.command("version")(admin_cmds.version)
app.command("dr-test")(dr_test)
app.add_typer(admin_cmds.config_app, name="config")
app.add_typer(admin_cmds.db_app, name="db")
app.add_typer(admin_cmds.auth_app, name="auth")
app.add_typer(security_cmds.enclave_app, name="enclave")
app.add_typer(security_cmds.audit_app, name="audit")
app.add_typer(chain_cmds.chains_app, name="chains")
app.add_typer(contract_cmds.contracts_app, name="contracts")
app.add_typer(certs_app, name="certs")
app.add_typer(deploy_app, name="deploy")
app.add_typer(credentials_cmds.credentials_app, name="credentials")
app.add_typer(manifest_cmds.manifests_app, name="manifests")
app.add_typer(monitoring_app, name="monitoring")
ops_cmds.register(app)
backup_cmds.register(app)


def main() -> None:
    app()
