"""``nsl certs``: check exit codes, the expiry metric, and renewal without a restart."""

from __future__ import annotations

import os
import re
import socket
import ssl
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import tests.e2e.conftest as e2e
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from nsl.ops import certs


def _expired(path: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old.example.com")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=10))
        .not_valid_after(now - timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(certs.cert_pem(cert))
    return path


def test_generate_then_check_exit_codes(tmp_path: Path) -> None:
    out = tmp_path / "tls"
    made = e2e.run_nsl(
        "certs", "generate", "--domain", "api.example.com", "--out", str(out),
        "--days", "10", "--san", "localhost", data_dir=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert f"NSL_HTTP__TLS_CERT_FILE={(out / 'server.crt').resolve()}" in made.stdout
    cert = str(out / "server.crt")

    soon = e2e.run_nsl("certs", "check", "--file", cert, data_dir=tmp_path)  # warn window 30 days
    assert soon.returncode == 1
    assert "expires within 30 days" in soon.stdout
    assert "api.example.com, localhost" in soon.stdout
    assert re.search(r"\(\d+\.\d days left\)", soon.stdout)

    fine = e2e.run_nsl("certs", "check", "--file", cert, "--warn-days", "5", data_dir=tmp_path)
    assert fine.returncode == 0, fine.stdout
    assert ": ok" in fine.stdout

    env = {"NSL_HTTP__TLS_CERT_FILE": cert, "NSL_HTTP__TLS_KEY_FILE": str(out / "server.key")}
    configured = e2e.run_nsl("certs", "check", "--warn-days", "5", data_dir=tmp_path, env=env)
    assert configured.returncode == 0 and cert in configured.stdout

    old = str(_expired(tmp_path / "old.crt"))
    expired = e2e.run_nsl(
        "certs", "check", "--file", cert, "--file", old, "--warn-days", "5", data_dir=tmp_path
    )
    assert expired.returncode == 1
    assert "EXPIRED" in expired.stdout

    unset = e2e.run_nsl("certs", "check", data_dir=tmp_path)
    assert unset.returncode == 2
    assert "NSL_HTTP__TLS_CERT_FILE is not set" in unset.stderr

    bad = e2e.run_nsl("certs", "generate", "--domain", "bad domain", data_dir=tmp_path)
    assert bad.returncode == 2 and "not a DNS name" in bad.stderr


def _peer_serial(port: int) -> int:
    """The serial of the certificate a new TLS connection is served."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        ctx.wrap_socket(raw) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).serial_number


def test_renewed_certificate_is_served_without_a_restart(tmp_path: Path) -> None:
    out = tmp_path / "tls"
    made = e2e.run_nsl(
        "certs", "generate", "--domain", "localhost", "--ca", "--client", "gateway",
        "--out", str(out), data_dir=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    cert, key = out / "server.crt", out / "server.key"
    trusted = ssl.create_default_context(cafile=str(out / "ca" / "ca.crt"))
    env = {"NSL_HTTP__TLS_CERT_FILE": str(cert), "NSL_HTTP__TLS_KEY_FILE": str(key)}
    process = e2e.NslProcess(tmp_path / "var", env=env, verify=trusted).start()
    try:
        pid = process.proc.pid if process.proc else None

        def live() -> None:
            response = httpx.get(process.url + "/health/live", verify=trusted, timeout=5)
            assert response.status_code == 200

        for _ in range(3):
            live()
        first = _peer_serial(process.port)
        assert first == x509.load_pem_x509_certificate(cert.read_bytes()).serial_number

        metrics = httpx.get(process.url + "/metrics", verify=trusted).text
        found = re.search(
            rf'nsl_tls_certificate_expiry_seconds{{file="{re.escape(str(cert))}"}} ([0-9.e+]+)',
            metrics,
        )
        assert found, metrics
        assert 364 * 86400 < float(found.group(1)) <= 365 * 86400

        # an unusable pair (another certificate's key) is refused, and the old one still served
        os.replace(_copy(out / "clients" / "gateway.key", tmp_path / "wrong.key"), key)
        deadline = time.monotonic() + 15
        while "not usable, not reloading" not in process.output():
            assert time.monotonic() < deadline, process.output()
            live()
        assert _peer_serial(process.port) == first

        # a renewal from the same CA: key (still mismatched until...) then the certificate
        issued = e2e.run_nsl(
            "certs", "issue", "--name", "localhost", "--out", str(out), data_dir=tmp_path
        )
        assert issued.returncode == 0, issued.stderr
        new_cert = out / "clients" / "localhost.crt"
        renewed = x509.load_pem_x509_certificate(new_cert.read_bytes()).serial_number
        assert renewed != first
        os.replace(_copy(out / "clients" / "localhost.key", tmp_path / "new.key"), key)
        os.replace(_copy(new_cert, tmp_path / "new.crt"), cert)

        deadline = time.monotonic() + 60
        while _peer_serial(process.port) != renewed:
            assert time.monotonic() < deadline, process.output()
            live()  # the gateway answers throughout the respawn
        for _ in range(3):
            live()
        assert process.proc is not None and process.proc.pid == pid and process.proc.poll() is None
        assert "TLS certificate changed (serial" in process.output()
    finally:
        process.stop()


def _copy(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    target.chmod(0o600)
    return target
