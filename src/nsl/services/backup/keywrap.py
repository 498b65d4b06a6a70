"""Per-backup data keys: wrapped under the master-derived backup key or to the recovery key.

Master-keyed kinds: ``AesGcmSealer(derive_key(master, "nsl-backup-v1"))`` seals the data key
with associated data ``b"nsl-backup-key|" + id``; the manifest MAC key is
``derive_key(master, "nsl-backup-manifest-v1")``. ``keys`` backups: X25519 ECDH with an
ephemeral key, HKDF-SHA256 (info ``nsl-backup-recovery-v1|`` + ephemeral + recipient), then
AES-256-GCM; their MAC key is ``derive_key(data_key, "nsl-backup-manifest-v1")`` so only a
holder of the reconstructed recovery key can check it.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from nsl.core.sealing import AesGcmSealer, SealError, derive_key
from nsl.services.backup.errors import BackupWrongKey

PURPOSE = "nsl-backup-v1"
MAC_PURPOSE = "nsl-backup-manifest-v1"
RECOVERY_INFO = b"nsl-backup-recovery-v1|"


class MasterWrap:
    """Wraps data keys under the key derived from the platform master key."""

    def __init__(self, master: bytes) -> None:
        wrapping = derive_key(master, PURPOSE)
        self._sealer = AesGcmSealer(wrapping)
        self.key_id = "master:" + hashlib.sha256(b"nsl-backup-key-id|" + wrapping).hexdigest()[:16]
        self.mac_key = derive_key(master, MAC_PURPOSE)

    def __repr__(self) -> str:
        return f"MasterWrap(key_id={self.key_id})"

    def wrap(self, backup_id: str, data_key: bytes) -> bytes:
        return self._sealer.seal(data_key, b"nsl-backup-key|" + backup_id.encode())

    def unwrap(self, backup_id: str, key_id: str, wrapped: bytes) -> bytes:
        if key_id != self.key_id:
            raise BackupWrongKey(f"backup {backup_id} was made under another master key")
        try:
            return self._sealer.open(wrapped, b"nsl-backup-key|" + backup_id.encode())
        except SealError as exc:
            raise BackupWrongKey(f"backup {backup_id}: its data key does not open") from exc


def recovery_key_id(public: bytes) -> str:
    return "recovery:" + hashlib.sha256(b"nsl-recovery-key-id|" + public).hexdigest()[:16]


def wrap_to_recovery(backup_id: str, recipient: bytes, data_key: bytes) -> bytes:
    """``ephemeral public (32) ‖ nonce (12) ‖ AES-GCM(data key)`` for the recovery key holder."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    kek = _kek(shared, ephemeral_public, recipient)
    nonce = os.urandom(12)
    sealed = AESGCM(kek).encrypt(nonce, data_key, b"nsl-backup-key|" + backup_id.encode())
    return ephemeral_public + nonce + sealed


def unwrap_with_recovery(backup_id: str, key_id: str, wrapped: bytes, private: bytes) -> bytes:
    key = X25519PrivateKey.from_private_bytes(private)
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    if recovery_key_id(public) != key_id:
        raise BackupWrongKey(f"backup {backup_id} was encrypted to another recovery key")
    if len(wrapped) < 32 + 12 + 16:
        raise BackupWrongKey(f"backup {backup_id}: its wrapped key is malformed")
    ephemeral_public, nonce, sealed = wrapped[:32], wrapped[32:44], wrapped[44:]
    shared = key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    try:
        return AESGCM(_kek(shared, ephemeral_public, public)).decrypt(
            nonce, sealed, b"nsl-backup-key|" + backup_id.encode()
        )
    except InvalidTag as exc:
        raise BackupWrongKey(f"backup {backup_id}: its data key does not open") from exc


def data_key_mac_key(data_key: bytes) -> bytes:
    return derive_key(data_key, MAC_PURPOSE)


def _kek(shared: bytes, ephemeral_public: bytes, recipient: bytes) -> bytes:
    info = RECOVERY_INFO + ephemeral_public + recipient
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)
