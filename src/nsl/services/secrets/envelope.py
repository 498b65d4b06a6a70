"""Envelope encryption of secret values: a fresh AES-256 data key per version from the enclave,
stored only wrapped; the value sealed with AES-256-GCM under it.

The associated data ``secrets|<secret id>|<version>`` binds both the wrapped key and the
ciphertext to their row, so a value copied to another secret or version does not open.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from nsl.core.enclave import Enclave, EnclaveDecryptFailed, EnclaveKeyUnknown
from nsl.core.errors import ValidationFailed
from nsl.services.secrets.errors import ValueUnreadable

NONCE_BYTES = 12


@dataclass(frozen=True)
class Sealed:
    """What is stored of a value: ``nonce ‖ ciphertext ‖ tag``, the wrapped data key, the key."""

    ciphertext: bytes
    wrapped_key: bytes
    wrapping_key_ref: str

    def __repr__(self) -> str:
        return f"Sealed({len(self.ciphertext)} bytes under {self.wrapping_key_ref})"


def aad(secret_id: str, version: int) -> bytes:
    return f"secrets|{secret_id}|{version}".encode()


async def seal(
    enclave: Enclave, key_ref: str, secret_id: str, version: int, plaintext: bytes
) -> Sealed:
    binding = aad(secret_id, version)
    data_key = await enclave.generate_data_key(key_ref, binding)
    nonce = os.urandom(NONCE_BYTES)
    body = AESGCM(data_key.plaintext).encrypt(nonce, plaintext, binding)
    return Sealed(nonce + body, data_key.wrapped, key_ref)


async def open_value(
    enclave: Enclave,
    key_ref: str,
    secret_id: str,
    version: int,
    ciphertext: bytes,
    wrapped_key: bytes,
) -> bytes:
    binding = aad(secret_id, version)
    try:
        key = await enclave.unwrap_data_key(key_ref, wrapped_key, binding)
    except (EnclaveDecryptFailed, EnclaveKeyUnknown, ValidationFailed) as exc:
        raise _unreadable(secret_id, version) from exc
    try:
        return AESGCM(key).decrypt(ciphertext[:NONCE_BYTES], ciphertext[NONCE_BYTES:], binding)
    except (InvalidTag, ValueError) as exc:
        raise _unreadable(secret_id, version) from exc


def _unreadable(secret_id: str, version: int) -> ValueUnreadable:
    return ValueUnreadable(
        f"version {version} of secret {secret_id} does not decrypt: damaged or moved"
    )
