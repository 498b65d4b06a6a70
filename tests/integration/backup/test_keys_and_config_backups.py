"""Keys backups (recovery shares, re-sealing under a new master key) and config backups."""

from __future__ import annotations

import base64
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import text
from tests.integration.backup.helpers import MASTER, backup_settings, engine, migrate

from nsl.core.clock import ManualClock
from nsl.core.enclave import KeyType, SignAlgorithm
from nsl.enclave.keyring import KEYRING_FILE
from nsl.enclave.software import SoftwareEnclave
from nsl.services.backup import config_backup, recovery
from nsl.services.backup.errors import InvalidInput, TargetNotEmpty


def p256_verify(public: bytes, message: bytes, signature: bytes) -> None:
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    key.verify(der, message, ec.ECDSA(hashes.SHA256()))


async def test_keys_survive_losing_the_master_keyring(tmp_path: Path) -> None:
    ceremony = recovery.init(tmp_path / "ceremony", shares=3, threshold=2)
    public = base64.b64encode(ceremony.public_key).decode()
    settings = backup_settings(tmp_path, backup={"recovery_public_key": public})
    await migrate(settings)
    backups = engine(settings)
    try:
        enclave = SoftwareEnclave(settings, backups.database, ManualClock())
        p256 = await enclave.generate_key(KeyType.SECP256R1, purpose="test/p256")
        ed = await enclave.generate_key(KeyType.ED25519, purpose="test/ed25519")
        assert await backups.keys_changed()
        manifest = await backups.keys()
        assert manifest.key_id == ceremony.key_id and manifest.details["items"] >= 2
        assert not await backups.keys_changed()

        structure = await backups.verify(manifest.id)
        assert structure["checked"] == "structure"
        opened = await backups.verify(manifest.id, shares=ceremony.share_files[:2])
        assert opened["checked"] == "decrypted" and opened["items"] == manifest.details["items"]

        # disaster: the enclave master keyring is gone; the sealed rows remain (database restore)
        (Path(settings.data_dir) / KEYRING_FILE).unlink()
        with pytest.raises(InvalidInput):
            await backups.restore(manifest.id, shares=ceremony.share_files[:1], force=True)
        with pytest.raises(TargetNotEmpty):
            await backups.restore(manifest.id, shares=ceremony.share_files[1:])
        result = await backups.restore(manifest.id, shares=ceremony.share_files[1:], force=True)
        assert result["items"] == manifest.details["items"]

        fresh = SoftwareEnclave(settings, backups.database, ManualClock())
        message = b"signed after restore"
        p256_verify(
            p256.public_key,
            message,
            await fresh.sign(p256.key_ref, message, SignAlgorithm.ECDSA_SHA256),
        )
        assert await fresh.public_key(p256.key_ref) == p256.public_key
        Ed25519PublicKey.from_public_bytes(ed.public_key).verify(
            await fresh.sign(ed.key_ref, message, SignAlgorithm.ED25519), message
        )
    finally:
        await backups.close()


async def test_keys_backup_needs_a_recovery_key(tmp_path: Path) -> None:
    settings = backup_settings(tmp_path)
    await migrate(settings)
    backups = engine(settings)
    try:
        with pytest.raises(InvalidInput) as caught:
            await backups.keys()
        assert caught.value.fields[0].field == "NSL_BACKUP__RECOVERY_PUBLIC_KEY"
    finally:
        await backups.close()


INSERT = text(
    "INSERT INTO configuration_entries (id, environment, key, value_json, value_sealed, secret, "
    "read_only, description, scope, version, created_at, updated_at, updated_by) VALUES "
    "(:id, 'test', :key, :value, NULL, 0, 0, '', 'global', 1, :at, :at, 'tester')"
)


async def test_config_backup_restores_and_verifies_in_a_scratch_database(tmp_path: Path) -> None:
    settings = backup_settings(tmp_path)
    await migrate(settings)
    backups = engine(settings)
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    try:
        async with backups.database.session() as session:
            for i in range(5):
                await session.execute(
                    INSERT, {"id": f"E{i:025d}", "key": f"app/k{i}", "value": f'"v{i}"', "at": at}
                )
        manifest = await backups.config()
        assert manifest.details["tables"]["configuration_entries"]["rows"] == 5
        document = config_backup.read(backups.store, manifest.id)
        assert document["settings"]["backup"]["retention_days"] == 30
        assert MASTER not in json.dumps(document)  # secrets are masked, never backed up
        report = await backups.verify(manifest.id)
        assert report["ok"] and report["checked"] == "scratch-restore"
        assert not await backups.config_changed()  # the hourly check finds it current

        with pytest.raises(TargetNotEmpty):
            await backups.restore(manifest.id)
        async with backups.database.session() as session:
            await session.execute(text("DELETE FROM configuration_entries"))
        assert await backups.config_changed()  # a change whose event was lost is caught
        result = await backups.restore("latest", kind="config")
        assert result["rows"] == 5
        async with backups.database.session() as session:
            rows = (await session.execute(text("SELECT key FROM configuration_entries"))).all()
        assert sorted(r[0] for r in rows) == [f"app/k{i}" for i in range(5)]
    finally:
        await backups.close()


async def test_restoring_keys_from_the_offsite_copy_only(tmp_path: Path) -> None:
    ceremony = recovery.init(tmp_path / "ceremony", shares=2, threshold=2)
    settings = backup_settings(tmp_path, backup={"recovery_public_key": ceremony.public_key.hex()})
    await migrate(settings)
    backups = engine(settings)
    try:
        enclave = SoftwareEnclave(settings, backups.database, ManualClock())
        await enclave.generate_key(KeyType.SECP256K1, purpose="test/k1")
        manifest = await backups.keys()
        shutil.rmtree(tmp_path / "local")
        report = await backups.verify(
            manifest.id, shares=ceremony.share_files, from_target="offsite"
        )
        assert report["checked"] == "decrypted"
    finally:
        await backups.close()
