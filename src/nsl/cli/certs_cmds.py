"""``nsl certs``: generate TLS certificates (self-signed or a private CA), issue mTLS client
certificates, and check expiry of the certificates in use."""

from __future__ import annotations

from pathlib import Path

import typer

from nsl.cli.common import console, err_console, load_settings
from nsl.core import catalogue
from nsl.ops import certinfo, certs

certs_app = typer.Typer(
    help="TLS certificates: generate, issue, check expiry.", no_args_is_help=True
)


def _say(text: str) -> None:
    """One line, never wrapped (paths and settings lines are copied by operators)."""
    console.print(text, soft_wrap=True, highlight=False)


def _report(result: certs.Generated) -> None:
    for written in result.files:
        note = f" (previous kept as {written.backup})" if written.backup else ""
        _say(f"wrote {written.path}{note}")
    if result.server_cert and result.server_key:
        _say("serve it with:")
        _say(f"  NSL_HTTP__TLS_CERT_FILE={result.server_cert.resolve()}")
        _say(f"  NSL_HTTP__TLS_KEY_FILE={result.server_key.resolve()}")
    if result.ca_cert:
        _say(f"clients trust {result.ca_cert.resolve()}")


def generate(
    domain: str = typer.Option(..., help="The server's DNS name (CN and first SAN)."),
    out: Path = typer.Option(Path("var/tls"), help="Directory to write into."),
    days: int = typer.Option(365, help="Validity of the server (and client) certificates."),
    ca: bool = typer.Option(False, "--ca", help="Make a private CA in OUT/ca/ and sign with it."),
    ca_days: int = typer.Option(3650, help="Validity of the CA certificate (with --ca)."),
    san: list[str] = typer.Option([], help="Another DNS name or IP, e.g. localhost, 127.0.0.1."),
    client: list[str] = typer.Option(
        [], help="With --ca: a service to issue a client certificate for (default: every service)."
    ),
) -> None:
    """A self-signed server certificate, or with --ca a CA, a server and client certificates."""
    try:
        if ca:
            names = client or ["gateway", *(e.name for e in catalogue.CATALOGUE)]
            result = certs.generate_ca(domain, out, days, ca_days, san, names)
        else:
            if client:
                raise certinfo.CertError("--client needs --ca")
            result = certs.generate_self_signed(domain, out, days, san)
    except certinfo.CertError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    _report(result)


def issue(
    name: str = typer.Option(..., help="The service the certificate is for (CN and DNS SAN)."),
    out: Path = typer.Option(Path("var/tls"), help="Directory holding ca/ (from generate --ca)."),
    days: int = typer.Option(365, help="Validity (never beyond the CA's)."),
    san: list[str] = typer.Option([], help="Another DNS name or IP of the service."),
) -> None:
    """Sign one more mTLS certificate (client and server use) from the existing CA."""
    try:
        result = certs.issue(out, name, days, san)
    except certinfo.CertError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2 if "no CA" not in str(exc) else 1) from exc
    _report(result)


def check(
    file: list[Path] = typer.Option(
        [], help="A PEM certificate (default: NSL_HTTP__TLS_CERT_FILE)."
    ),
    warn_days: int = typer.Option(30, min=0, help="Fail when a certificate expires within this."),
) -> None:
    """Subject, SANs, issuer, expiry and days left; exit 1 when one expired or expires soon."""
    files = list(file)
    if not files:
        configured = load_settings().http.tls_cert_file
        if configured is None:
            err_console.print("[red]no --file given and NSL_HTTP__TLS_CERT_FILE is not set[/red]")
            raise typer.Exit(2)
        files = [configured]
    failed = False
    for path in files:
        try:
            info = certinfo.inspect(path)
        except certinfo.CertError as exc:
            _say(f"{path}: [red]unreadable[/red] ({exc})")
            failed = True
            continue
        if info.expired:
            status, failed = "[red]EXPIRED[/red]", True
        elif info.days_left < warn_days:
            status, failed = f"[yellow]expires within {warn_days} days[/yellow]", True
        else:
            status = "[green]ok[/green]"
        _say(f"{path}: {status}")
        _say(f"  subject    {info.subject}")
        _say(f"  SANs       {', '.join(info.sans) or '(none)'}")
        _say(f"  issuer     {info.issuer}")
        _say(f"  serial     {info.serial:x}")
        _say(
            f"  not after  {info.not_after:%Y-%m-%d %H:%M:%S} UTC ({info.days_left:.1f} days left)",
        )
    if failed:
        raise typer.Exit(1)


certs_app.command("generate")(generate)
certs_app.command("issue")(issue)
certs_app.command("check")(check)
