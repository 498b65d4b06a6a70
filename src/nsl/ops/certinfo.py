"""What a certificate file says (subject, SANs, expiry) and whether a cert/key pair can be
served: the part of ``nsl certs`` that reads, shared by ``check`` and the reload watcher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization


class CertError(ValueError):
    """Bad input, a missing CA, or a certificate/key pair that cannot be used."""


@dataclass(frozen=True)
class CertInfo:
    """What ``nsl certs check`` reports about one certificate."""

    file: Path
    subject: str
    sans: tuple[str, ...]
    issuer: str
    serial: int
    not_after: datetime
    seconds_left: float

    @property
    def days_left(self) -> float:
        return self.seconds_left / 86400

    @property
    def expired(self) -> bool:
        return self.seconds_left <= 0


def inspect(path: Path, now: datetime | None = None) -> CertInfo:
    """The first (leaf) certificate of a PEM file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CertError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        cert = x509.load_pem_x509_certificates(data)[0]
    except ValueError as exc:
        raise CertError(f"{path} holds no PEM certificate") from exc
    return describe(path, cert, now)


def describe(path: Path, cert: x509.Certificate, now: datetime | None = None) -> CertInfo:
    try:
        san_ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        sans = tuple(str(v.value) for v in san_ext)
    except x509.ExtensionNotFound:
        sans = ()
    at = now or datetime.now(UTC)
    return CertInfo(
        file=path,
        subject=cert.subject.rfc4514_string(),
        sans=sans,
        issuer=cert.issuer.rfc4514_string(),
        serial=cert.serial_number,
        not_after=cert.not_valid_after_utc,
        seconds_left=(cert.not_valid_after_utc - at).total_seconds(),
    )


def validate_pair(cert_path: Path, key_path: Path, now: datetime | None = None) -> CertInfo:
    """A pair the gateway can serve: the key is unencrypted PKCS#8 PEM and belongs to the
    certificate, which is valid now."""
    info = inspect(cert_path, now)
    try:
        key_data = key_path.read_bytes()
    except OSError as exc:
        raise CertError(f"cannot read {key_path}: {exc.strerror}") from exc
    if b"-----BEGIN PRIVATE KEY-----" not in key_data:
        raise CertError(f"{key_path} is not an unencrypted PKCS#8 PEM key")
    try:
        key = serialization.load_pem_private_key(key_data, password=None)
    except (ValueError, TypeError) as exc:
        raise CertError(f"{key_path} holds no usable private key") from exc
    cert = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
    if key.public_key() != cert.public_key():
        raise CertError(f"{key_path} is not the key of {cert_path}")
    at = now or datetime.now(UTC)
    if cert.not_valid_before_utc > at:
        raise CertError(
            f"{cert_path} is not valid before {cert.not_valid_before_utc:%Y-%m-%d %H:%M}Z"
        )
    if info.expired:
        raise CertError(f"{cert_path} expired at {info.not_after:%Y-%m-%d %H:%M}Z")
    return info
