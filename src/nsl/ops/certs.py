"""TLS certificates: a self-signed server certificate, or a private CA issuing server and mTLS
client certificates (EC P-256, PKCS#8 PEM keys mode 0600, never overwritten without a backup),
and an expiry report of the certificates in use (``certinfo``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from nsl.ops.certinfo import CertError
from nsl.ops.safewrite import replace_file

KEY_MODE = 0o600
CERT_MODE = 0o644
DNS_NAME = re.compile(
    r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
)
SERVICE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
BACKDATE = timedelta(minutes=5)  # tolerate small clock skew between hosts


@dataclass(frozen=True)
class Written:
    """One file written, and the backup of the file it replaced (if there was one)."""

    path: Path
    backup: Path | None = None


@dataclass
class Generated:
    """Every file a generation wrote, by role."""

    server_cert: Path | None = None
    server_key: Path | None = None
    ca_cert: Path | None = None
    ca_key: Path | None = None
    clients: dict[str, tuple[Path, Path]] = field(default_factory=dict)
    files: list[Written] = field(default_factory=list)


# --- building ------------------------------------------------------------------------------


def parse_san(value: str) -> x509.GeneralName:
    """An IP address or a DNS name (lower-cased), validated."""
    try:
        return x509.IPAddress(ipaddress.ip_address(value))
    except ValueError:
        pass
    name = value.strip().lower().rstrip(".")
    if not DNS_NAME.fullmatch(name) or len(name) > 253:
        raise CertError(f"not a DNS name or IP address: {value!r}")
    return x509.DNSName(name)


def _sans(domain: str, extra: Iterable[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for value in (domain, *extra):
        san = parse_san(value)
        if san not in names:
            names.append(san)
    return names


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, organisation: str = "Neo Service Layer") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def _leaf(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    signer: ec.EllipticCurvePrivateKey,
    not_after: datetime,
    sans: Sequence[x509.GeneralName],
    usages: Sequence[x509.ObjectIdentifier],
    now: datetime,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(list(usages)), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False
        )
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
    return builder.sign(signer, hashes.SHA256())


def _ca(
    common_name: str, key: ec.EllipticCurvePrivateKey, days: int, now: datetime
) -> x509.Certificate:
    name = _name(common_name)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


# --- files ---------------------------------------------------------------------------------


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def write_file(path: Path, data: bytes, mode: int) -> Written:
    """Write atomically with ``mode``; an existing file is first backed up."""
    return Written(path, replace_file(path, data, mode, datetime.now(UTC)))


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def load_ca(out: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The CA kept in ``out/ca/`` (certificate and key must match)."""
    cert_path, key_path = out / "ca" / "ca.crt", out / "ca" / "ca.key"
    if not cert_path.exists() or not key_path.exists():
        raise CertError(f"no CA in {out / 'ca'}: run `nsl certs generate --ca` first")
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        raise CertError(f"{key_path} is not the key of {cert_path}")
    return cert, key


# --- commands ------------------------------------------------------------------------------


def _check_days(days: int) -> None:
    if not 1 <= days <= 3650:
        raise CertError("--days must be between 1 and 3650")


def generate_self_signed(domain: str, out: Path, days: int, sans: Sequence[str] = ()) -> Generated:
    """A self-signed server certificate for ``domain`` (plus ``sans``): out/server.{crt,key}."""
    _check_days(days)
    names = _sans(domain, sans)
    domain = str(names[0].value)  # normalised
    now = datetime.now(UTC)
    key = new_key()
    subject = _name(domain)
    cert = _leaf(
        subject, key, subject, key, now + timedelta(days=days), names,
        [ExtendedKeyUsageOID.SERVER_AUTH], now,
    )  # fmt: skip
    result = Generated()
    result.files.append(write_file(out / "server.key", key_pem(key), KEY_MODE))
    result.files.append(write_file(out / "server.crt", cert_pem(cert), CERT_MODE))
    result.server_key, result.server_cert = out / "server.key", out / "server.crt"
    return result


def generate_ca(
    domain: str,
    out: Path,
    days: int,
    ca_days: int,
    sans: Sequence[str] = (),
    clients: Sequence[str] = (),
) -> Generated:
    """A private CA in out/ca/, a server certificate it signs, and one client certificate per
    name in ``clients`` (out/clients/NAME.{crt,key}) for mTLS between services."""
    _check_days(days)
    _check_days(ca_days)
    names = _sans(domain, sans)
    domain = str(names[0].value)  # normalised
    for client in clients:
        _check_service(client)
    now = datetime.now(UTC)
    ca_key = new_key()
    ca_cert = _ca(f"{domain} internal CA", ca_key, ca_days, now)
    result = Generated()
    ca_dir = _private_dir(out / "ca")
    result.files.append(write_file(ca_dir / "ca.key", key_pem(ca_key), KEY_MODE))
    result.files.append(write_file(ca_dir / "ca.crt", cert_pem(ca_cert), CERT_MODE))
    result.ca_key, result.ca_cert = ca_dir / "ca.key", ca_dir / "ca.crt"
    server = _signed(ca_cert, ca_key, _name(domain), names, days, [ExtendedKeyUsageOID.SERVER_AUTH])
    result.files.extend(_write_pair(out / "server", *server))
    result.server_key, result.server_cert = out / "server.key", out / "server.crt"
    for client in clients:
        result.files.extend(_issue_client(out, ca_cert, ca_key, client, days, ()))
        result.clients[client] = _pair_paths(_client_base(out, client))
    return result


def issue(out: Path, name: str, days: int, sans: Sequence[str] = ()) -> Generated:
    """One more client certificate from the CA in out/ca/: out/clients/NAME.{crt,key}."""
    _check_days(days)
    _check_service(name)
    ca_cert, ca_key = load_ca(out)
    result = Generated(ca_cert=out / "ca" / "ca.crt")
    result.files.extend(_issue_client(out, ca_cert, ca_key, name, days, sans))
    result.clients[name] = _pair_paths(_client_base(out, name))
    return result


def _check_service(name: str) -> None:
    if not SERVICE_NAME.fullmatch(name):
        raise CertError(f"not a service name (a-z, 0-9, '.', '_', '-'): {name!r}")


def _client_base(out: Path, name: str) -> Path:
    return out / "clients" / name


def _issue_client(
    out: Path,
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    name: str,
    days: int,
    sans: Sequence[str],
) -> list[Written]:
    # a service's certificate names it (CN and DNS SAN) and may serve as well as call
    names = _sans(name, sans)
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]
    pair = _signed(ca_cert, ca_key, _name(name), names, days, usages)
    return _write_pair(_client_base(out, name), *pair)


def _signed(
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    subject: x509.Name,
    names: Sequence[x509.GeneralName],
    days: int,
    usages: Sequence[x509.ObjectIdentifier],
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    now = datetime.now(UTC)
    if ca_cert.not_valid_after_utc <= now:
        raise CertError("the CA certificate has expired: generate a new CA")
    not_after = min(now + timedelta(days=days), ca_cert.not_valid_after_utc)
    key = new_key()
    return _leaf(subject, key, ca_cert.subject, ca_key, not_after, names, usages, now), key


def _pair_paths(base: Path) -> tuple[Path, Path]:
    """``base.crt`` and ``base.key`` (a name may contain dots: never ``with_suffix``)."""
    return base.with_name(base.name + ".crt"), base.with_name(base.name + ".key")


def _write_pair(
    base: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey
) -> list[Written]:
    cert_path, key_path = _pair_paths(base)
    key_file = write_file(key_path, key_pem(key), KEY_MODE)
    return [key_file, write_file(cert_path, cert_pem(cert), CERT_MODE)]
