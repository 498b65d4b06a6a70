"""Certificate generation: chains verify (cryptography and openssl), SANs, usages, key modes."""

from __future__ import annotations

import ipaddress
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store

from nsl.ops import certinfo, certs


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def openssl_verify(ca: Path, cert: Path, purpose: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", "verify", "-purpose", purpose, "-CAfile", str(ca), str(cert)],
        capture_output=True,
        text=True,
        check=False,
    )


def assert_private_key(path: Path, cert: x509.Certificate) -> None:
    assert path.stat().st_mode & 0o777 == 0o600
    data = path.read_bytes()
    assert data.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8, unencrypted
    key = serialization.load_pem_private_key(data, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert isinstance(key.curve, ec.SECP256R1)
    assert key.public_key() == cert.public_key()


def usages(cert: x509.Certificate) -> tuple[x509.KeyUsage, list[x509.ObjectIdentifier]]:
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    return ku.value, list(eku)


def test_self_signed_server_certificate(tmp_path: Path) -> None:
    result = certs.generate_self_signed("API.example.com", tmp_path, 30, ["localhost", "127.0.0.1"])
    assert result.server_cert and result.server_key
    cert = load(result.server_cert)
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["api.example.com", "localhost"]
    assert sans.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "api.example.com"
    ku, eku = usages(cert)
    assert ku.digital_signature and not ku.key_cert_sign
    assert eku == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    days = (cert.not_valid_after_utc - datetime.now(UTC)).total_seconds() / 86400
    assert 29.9 < days <= 30
    assert_private_key(result.server_key, cert)
    assert result.server_cert.stat().st_mode & 0o777 == 0o644

    verifier = PolicyBuilder().store(Store([cert])).build_server_verifier(x509.DNSName("localhost"))
    assert verifier.verify(cert, [])[0] == cert
    assert openssl_verify(result.server_cert, result.server_cert, "sslserver").returncode == 0


def test_private_ca_signs_server_and_client_certificates(tmp_path: Path) -> None:
    result = certs.generate_ca(
        "nsl.internal", tmp_path, 90, 3650, ["localhost"], ["gateway", "keys"]
    )
    assert result.ca_cert and result.ca_key and result.server_cert and result.server_key
    assert (tmp_path / "ca").stat().st_mode & 0o777 == 0o700
    ca = load(result.ca_cert)
    assert_private_key(result.ca_key, ca)
    bc = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca and bc.value.path_length == 0
    ca_ku = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ca_ku.key_cert_sign and ca_ku.crl_sign

    server = load(result.server_cert)
    assert_private_key(result.server_key, server)
    assert server.issuer == ca.subject
    assert usages(server)[1] == [ExtendedKeyUsageOID.SERVER_AUTH]
    store = Store([ca])
    chain = (
        PolicyBuilder()
        .store(store)
        .build_server_verifier(x509.DNSName("nsl.internal"))
        .verify(server, [])
    )
    assert chain == [server, ca]
    assert openssl_verify(result.ca_cert, result.server_cert, "sslserver").returncode == 0

    assert set(result.clients) == {"gateway", "keys"}
    for name, (cert_path, key_path) in result.clients.items():
        client = load(cert_path)
        assert_private_key(key_path, client)
        assert ExtendedKeyUsageOID.CLIENT_AUTH in usages(client)[1]
        verified = PolicyBuilder().store(store).build_client_verifier().verify(client, [])
        assert verified.subjects is not None and x509.DNSName(name) in verified.subjects
        assert openssl_verify(result.ca_cert, cert_path, "sslclient").returncode == 0


def test_issue_signs_from_the_existing_ca_and_never_beyond_it(tmp_path: Path) -> None:
    first = certs.generate_ca("nsl.internal", tmp_path, 30, 60, [], [])
    assert first.ca_cert
    issued = certs.issue(tmp_path, "oracle.v2", 365, ["oracle.svc"])
    cert_path, key_path = issued.clients["oracle.v2"]
    assert cert_path.name == "oracle.v2.crt" and key_path.name == "oracle.v2.key"
    cert, ca = load(cert_path), load(first.ca_cert)
    assert cert.not_valid_after_utc <= ca.not_valid_after_utc  # clamped to the CA's validity
    assert openssl_verify(first.ca_cert, cert_path, "sslclient").returncode == 0
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["oracle.v2", "oracle.svc"]


def test_issue_without_a_ca_is_refused(tmp_path: Path) -> None:
    with pytest.raises(certinfo.CertError, match="no CA"):
        certs.issue(tmp_path, "keys", 30)


@pytest.mark.parametrize("domain", ["", "bad domain", "-x.example.com", "a..b", "ex_ample.com"])
def test_bad_names_are_refused(tmp_path: Path, domain: str) -> None:
    with pytest.raises(certinfo.CertError):
        certs.generate_self_signed(domain, tmp_path, 30)
    assert not (tmp_path / "server.key").exists()


def test_regenerating_keeps_a_backup_of_every_file(tmp_path: Path) -> None:
    certs.generate_self_signed("a.example.com", tmp_path, 30)
    old_key, old_cert = (
        (tmp_path / "server.key").read_bytes(),
        (tmp_path / "server.crt").read_bytes(),
    )
    again = certs.generate_self_signed("a.example.com", tmp_path, 30)
    backups = {w.path.name: w.backup for w in again.files}
    key_backup, cert_backup = backups["server.key"], backups["server.crt"]
    assert key_backup is not None and cert_backup is not None
    assert key_backup.read_bytes() == old_key and cert_backup.read_bytes() == old_cert
    assert key_backup.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "server.key").read_bytes() != old_key


def _expired_pair(directory: Path) -> tuple[Path, Path]:
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
    cert_path, key_path = directory / "old.crt", directory / "old.key"
    cert_path.write_bytes(certs.cert_pem(cert))
    key_path.write_bytes(certs.key_pem(key))
    return cert_path, key_path


def test_inspect_and_validate_pair(tmp_path: Path) -> None:
    made = certs.generate_self_signed("a.example.com", tmp_path, 10, ["localhost"])
    assert made.server_cert and made.server_key
    info = certinfo.validate_pair(made.server_cert, made.server_key)
    assert info.sans == ("a.example.com", "localhost")
    assert 9.9 < info.days_left <= 10 and not info.expired
    assert "CN=a.example.com" in info.subject and info.issuer == info.subject

    other = certs.generate_self_signed("b.example.com", tmp_path / "b", 10)
    assert other.server_key
    with pytest.raises(certinfo.CertError, match="is not the key of"):
        certinfo.validate_pair(made.server_cert, other.server_key)

    sec1 = tmp_path / "sec1.key"
    key = serialization.load_pem_private_key(made.server_key.read_bytes(), password=None)
    sec1.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(certinfo.CertError, match="PKCS#8"):
        certinfo.validate_pair(made.server_cert, sec1)

    old_cert, old_key = _expired_pair(tmp_path)
    assert certinfo.inspect(old_cert).expired
    with pytest.raises(certinfo.CertError, match="expired"):
        certinfo.validate_pair(old_cert, old_key)

    (tmp_path / "junk.pem").write_text("not a certificate")
    with pytest.raises(certinfo.CertError, match="no PEM certificate"):
        certinfo.inspect(tmp_path / "junk.pem")
