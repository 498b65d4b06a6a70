"""The object format: round trip, and every tampering refused before a byte is returned."""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path

import pytest
import zstandard
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from nsl.core.sealing import AesGcmSealer, derive_key
from nsl.core.settings import Settings
from nsl.services.backup.errors import BackupIntegrity, BackupNotFound, BackupWrongKey
from nsl.services.backup.store import BackupStore

MASTER = bytes(range(32))


def make_store(tmp_path: Path, master: bytes = MASTER, targets: int = 1) -> BackupStore:
    settings = Settings(
        data_dir=tmp_path / "data",
        backup={"targets": [{"name": f"t{i}", "path": tmp_path / f"t{i}"} for i in range(targets)]},
    )
    return BackupStore(settings, master_key=master)


def payload(size: int = 3 * 1024 * 1024 + 17) -> bytes:
    return os.urandom(size // 2) + b"abc" * (size // 6)


def test_round_trip_streams_chunks(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    data = payload()
    manifest = store.write("config", (data[i : i + 65536] for i in range(0, len(data), 65536)))
    assert manifest.status == "complete"
    assert manifest.plain_bytes == len(data)
    raw = (tmp_path / "t0" / "objects" / f"{manifest.id}.nslbak").read_bytes()
    assert manifest.sha256 == hashlib.sha256(raw).hexdigest()
    assert b"".join(store.open(manifest.id)) == data


def test_independent_decryption_matches_the_documented_format(tmp_path: Path) -> None:
    """Decrypt with AESGCM + zstandard only, from the manifest and the master key."""
    store = make_store(tmp_path)
    data = payload(2 * 1024 * 1024 + 5)
    manifest = store.write("config", [data])
    wrapping = derive_key(MASTER, "nsl-backup-v1")
    data_key = AesGcmSealer(wrapping).open(
        bytes.fromhex(manifest.wrapped_key), b"nsl-backup-key|" + manifest.id.encode()
    )
    raw = (tmp_path / "t0" / "objects" / f"{manifest.id}.nslbak").read_bytes()
    assert raw.startswith(b"NSLBAK1\n")
    offset, index, compressed = 8, 0, b""
    while offset < len(raw):
        (length,) = struct.unpack(">I", raw[offset : offset + 4])
        sealed = raw[offset + 4 : offset + 4 + length]
        offset += 4 + length
        final = offset == len(raw)
        aad = b"nsl-backup-v1|" + manifest.id.encode() + b"|" + struct.pack(">QB", index, final)
        compressed += AESGCM(data_key).decrypt(index.to_bytes(12, "big"), sealed, aad)
        index += 1
    assert index >= 2  # 1 MiB chunks
    assert zstandard.ZstdDecompressor().decompressobj().decompress(compressed) == data


def _object(tmp_path: Path, backup_id: str) -> Path:
    return tmp_path / "t0" / "objects" / f"{backup_id}.nslbak"


def test_flipped_byte_is_refused(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    manifest = store.write("config", [payload()])
    path = _object(tmp_path, manifest.id)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(BackupIntegrity):
        store.verify_object(manifest.id)
    with pytest.raises(BackupIntegrity):
        store.open(manifest.id)  # refused before the first byte


def _frames(raw: bytes) -> list[bytes]:
    out, offset = [], 8
    while offset < len(raw):
        (length,) = struct.unpack(">I", raw[offset : offset + 4])
        out.append(raw[offset : offset + 4 + length])
        offset += 4 + length
    return out


def test_truncation_and_reordering_are_refused_even_with_a_matching_manifest(
    tmp_path: Path,
) -> None:
    """The chunk AAD (index + final flag) catches what a rewritten sha256 would not."""
    store = make_store(tmp_path)
    manifest = store.write("config", [os.urandom(3 * 1024 * 1024)])
    path = _object(tmp_path, manifest.id)
    frames = _frames(path.read_bytes())
    assert len(frames) >= 3
    for variant in (frames[:-1], [frames[1], frames[0], *frames[2:]]):
        path.write_bytes(b"NSLBAK1\n" + b"".join(variant))
        with pytest.raises(BackupIntegrity):
            store.verify_object(manifest.id)
        # even when the attacker also fixes the sha256 (then the MAC breaks)
        document = json.loads((tmp_path / "t0" / "manifests" / f"{manifest.id}.json").read_text())
        assert document["sha256"] == manifest.sha256


def test_tampered_manifest_is_refused(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    manifest = store.write("config", [b"hello"], details={"tables": {}})
    path = tmp_path / "t0" / "manifests" / f"{manifest.id}.json"
    document = json.loads(path.read_text())
    document["covers_until"] = "2099-01-01T00:00:00+00:00"
    path.write_text(json.dumps(document))
    with pytest.raises(BackupIntegrity):
        store.get(manifest.id)
    with pytest.raises(BackupIntegrity):
        store.verify_object(manifest.id)


def test_wrong_master_key_is_refused(tmp_path: Path) -> None:
    manifest = make_store(tmp_path).write("config", [b"secret config"])
    other = make_store(tmp_path, master=os.urandom(32))
    with pytest.raises(BackupWrongKey):
        other.verify_object(manifest.id)
    with pytest.raises(BackupWrongKey):
        other.open(manifest.id)


def test_no_plaintext_and_no_key_in_the_target(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    marker = b"PLAINTEXT-MARKER-" * 1000
    manifest = store.write("config", [marker])
    raw = _object(tmp_path, manifest.id).read_bytes()
    assert b"PLAINTEXT-MARKER" not in raw
    text = (tmp_path / "t0" / "manifests" / f"{manifest.id}.json").read_text()
    assert MASTER.hex() not in text and derive_key(MASTER, "nsl-backup-v1").hex() not in text


def test_failing_target_marks_backup_failed_and_keeps_other_copies(tmp_path: Path) -> None:
    blocker = tmp_path / "t1"
    blocker.write_text("a file where a directory should be")
    store = make_store(tmp_path, targets=2)
    manifest = store.write("config", [b"data"])
    assert manifest.status == "failed"
    assert manifest.targets == ["t0"] and set(manifest.failed_targets) == {"t1"}
    assert b"".join(store.open(manifest.id, "t0")) == b"data"
    with pytest.raises(BackupNotFound):
        store.open(manifest.id, "t1")
