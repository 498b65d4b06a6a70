"""The software provider: keyring file, master-key rotation, sealing at rest, tamper refusal."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr
from sqlalchemy import text

from nsl.core.clock import ManualClock
from nsl.core.enclave import EnclaveError, KeyType, SealContext, SignAlgorithm
from nsl.core.errors import SettingsError, ValidationFailed
from nsl.core.masterkey import MasterKeyInvalid
from nsl.core.settings import EnclaveSettings, Settings
from nsl.enclave import attestation, ecies
from nsl.enclave.factory import build_enclave
from nsl.enclave.keyring import KEYRING_FILE, load_keyring, read_keyring_file
from nsl.enclave.rotation import rotate_keyring_file
from nsl.enclave.signatures import verify_signature
from nsl.enclave.software import SoftwareEnclave

OLD, NEW = "11" * 32, "22" * 32


def settings(tmp_path: Path, **enclave: Any) -> Settings:
    return Settings(env="test", data_dir=tmp_path / "var", enclave=EnclaveSettings(**enclave))


def enclave(tmp_path: Path, database: Any, **options: Any) -> SoftwareEnclave:
    return SoftwareEnclave(settings(tmp_path, **options), database, ManualClock())


async def test_keyring_file_is_private_and_reused(tmp_path: Path, database: Any) -> None:
    first = enclave(tmp_path, database)
    info = await first.generate_key(KeyType.SECP256R1, purpose="test")
    path = tmp_path / "var" / KEYRING_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = enclave(tmp_path, database)  # a restart: same file, same keys
    signature = await again.sign(info.key_ref, b"hello", SignAlgorithm.ECDSA_SHA256)
    assert verify_signature(
        KeyType.SECP256R1, info.public_key, b"hello", signature, SignAlgorithm.ECDSA_SHA256
    )
    path.chmod(0o644)
    with pytest.raises(MasterKeyInvalid, match="chmod 600"):
        load_keyring(settings(tmp_path))


def test_production_never_generates_a_keyring(tmp_path: Path) -> None:
    production = Settings(env="production", data_dir=tmp_path / "var")
    with pytest.raises(MasterKeyInvalid, match="NSL_ENCLAVE__MASTER_KEY"):
        load_keyring(production)
    assert not (tmp_path / "var" / KEYRING_FILE).exists()


def test_production_refuses_the_software_provider_unless_allowed(
    tmp_path: Path, database: Any
) -> None:
    production = Settings(env="production", data_dir=tmp_path)
    with pytest.raises(SettingsError, match="ALLOW_SOFTWARE"):
        build_enclave(production, database, ManualClock())
    allowed = Settings(env="production", data_dir=tmp_path, enclave={"allow_software": True})
    assert build_enclave(allowed, database, ManualClock()).provider == "software"


async def test_no_key_material_is_stored_in_the_clear(tmp_path: Path, database: Any) -> None:
    box = enclave(tmp_path, database)
    info = await box.generate_key(KeyType.SECP256R1, purpose="scan", exportable=True)
    recipient = ec.generate_private_key(ec.SECP256R1())
    exported = await box.export_key(info.key_ref, _compressed(recipient))
    scalar = _unwrap_export(recipient, exported, KeyType.SECP256R1)
    wrapping = await box.create_wrapping_key(purpose="scan")
    data_key = await box.generate_data_key(wrapping, b"ctx")
    sealed = await box.seal(SealContext("scan", "object"), b"sealed-secret-value-123")
    raw = await _raw_rows(database)
    for secret in (scalar, data_key.plaintext, b"sealed-secret-value-123"):
        assert secret not in raw and secret.hex().encode() not in raw
    assert sealed.startswith(b"S1")


async def test_a_blob_made_exportable_in_the_database_no_longer_opens(
    tmp_path: Path, database: Any
) -> None:
    info = await enclave(tmp_path, database).generate_key(KeyType.SECP256K1, purpose="t")
    async with database.session() as session:
        await session.execute(
            text("UPDATE enclave_items SET exportable = :t WHERE id = :i"),
            {"t": True, "i": info.key_ref},
        )
    with pytest.raises(EnclaveError) as refused:
        await enclave(tmp_path, database).sign(info.key_ref, b"x", SignAlgorithm.ECDSA_SHA256)
    assert refused.value.code == "enclave.item_corrupt"


async def test_rotating_the_keyring_file_rewraps_every_item(tmp_path: Path, database: Any) -> None:
    box = enclave(tmp_path, database)
    keys = [await box.generate_key(t, purpose="rot") for t in KeyType]
    sealed = await box.seal(SealContext("svc", "obj", 2), b"payload")
    path = tmp_path / "var" / KEYRING_FILE
    old_id = read_keyring_file(path).current_id
    report = await rotate_keyring_file(box, path)
    assert report.rewrapped == len(keys) + 1  # and the seal key
    assert report.remaining_under_previous == 0 and report.current_master_id != old_id
    retired = await rotate_keyring_file(box, path, retire_previous=True, new_key=False)
    assert retired.retired == 1 and len(read_keyring_file(path).keys) == 1
    fresh = enclave(tmp_path, database)  # knows only the new key
    for info in keys:
        message = b"after rotation"
        algorithm = _algorithm(info.key_type)
        signature = await fresh.sign(info.key_ref, message, algorithm)
        assert verify_signature(info.key_type, info.public_key, message, signature, algorithm)
    assert await fresh.unseal(SealContext("svc", "obj", 2), sealed) == b"payload"


async def test_rotation_with_keys_from_settings(tmp_path: Path, database: Any) -> None:
    before = enclave(tmp_path, database, master_key=SecretStr(OLD))
    info = await before.generate_key(KeyType.ED25519, purpose="rot")
    during = enclave(
        tmp_path, database, master_key=SecretStr(NEW), previous_master_keys=[SecretStr(OLD)]
    )
    report = await during.rewrap_items()
    assert report.rewrapped == 1 and report.remaining_under_previous == 0
    after = enclave(tmp_path, database, master_key=SecretStr(NEW))
    signature = await after.sign(info.key_ref, b"m", SignAlgorithm.ED25519)
    assert verify_signature(
        KeyType.ED25519, info.public_key, b"m", signature, SignAlgorithm.ED25519
    )
    with pytest.raises(EnclaveError) as refused:
        await enclave(tmp_path, database, master_key=SecretStr(OLD)).sign(
            info.key_ref, b"m", SignAlgorithm.ED25519
        )
    assert refused.value.code == "enclave.master_key_unknown"


async def test_attestation_names_the_software_provider(tmp_path: Path, database: Any) -> None:
    report = await enclave(tmp_path, database).attest(b"nonce-123")
    document = attestation.verify_report(report.body, report.signature, attestation.measurement())
    assert document["provider"] == "software" and document["hardware_isolation"] is False
    assert document["user_data"] == b"nonce-123".hex()
    again = await enclave(tmp_path, database).attest(b"other")
    assert again.identity_public_key == report.identity_public_key  # one identity per deployment
    forged = report.body.replace(b'"provider":"software"', b'"provider":"pkcs11"')
    assert forged != report.body
    with pytest.raises(ValidationFailed, match="does not verify"):
        attestation.verify_report(forged, report.signature)


def _algorithm(key_type: KeyType) -> SignAlgorithm:
    return SignAlgorithm.ED25519 if key_type is KeyType.ED25519 else SignAlgorithm.ECDSA_SHA256


def _compressed(key: ec.EllipticCurvePrivateKey) -> bytes:
    from nsl.enclave.points import compressed_p256

    return compressed_p256(key.public_key())


def _unwrap_export(recipient: ec.EllipticCurvePrivateKey, blob: bytes, key_type: KeyType) -> bytes:
    """The documented nsl-export-v1 format, opened with cryptography alone."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    assert blob[0] == 1
    ephemeral, nonce, ciphertext = blob[1:34], blob[34:46], blob[46:]
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ephemeral)
    shared = recipient.exchange(ec.ECDH(), peer)
    info = b"nsl-ecies-v1|secp256r1|" + ephemeral + _compressed(recipient)
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)
    return AESGCM(key).decrypt(nonce, ciphertext, ecies.export_aad(key_type))


async def _raw_rows(database: Any) -> bytes:
    if database.dialect == "sqlite":
        path = Path(database.url.split("///", 1)[1])
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    async with database.session() as session:
        rows = (await session.execute(text("SELECT t::text FROM enclave_items t"))).all()
    return b"\n".join(r[0].encode() for r in rows)
