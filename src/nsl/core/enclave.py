"""The enclave contract: what services may ask of the component that holds key material.

Private keys and wrapping keys never leave a provider in the clear. A caller names a key by
its opaque ``key_ref`` (returned by :meth:`Enclave.generate_key`), and persists nothing secret:
the provider keeps its own sealed items. Providers live in ``nsl.enclave``; this module holds
only the protocol and its value types so that ``core`` and services can depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from nsl.core.errors import BadRequest, NslError
from nsl.core.health import Check


class KeyType(StrEnum):
    SECP256R1 = "secp256r1"  # Neo N3 (NIST P-256)
    SECP256K1 = "secp256k1"  # Neo X / EVM
    ED25519 = "ed25519"


class SignAlgorithm(StrEnum):
    """How :meth:`Enclave.sign` treats ``message`` and shapes the signature.

    ``ECDSA_SHA256``: ECDSA over SHA-256(message), 64-byte r‖s (low-s).
    ``ECDSA_PREHASHED``: ``message`` is a 32-byte digest; 64-byte r‖s (low-s).
    ``ECDSA_RECOVERABLE``: ``message`` is a 32-byte digest; 65-byte r‖s‖recovery-id (0/1, low-s).
    ``ED25519``: pure Ed25519 over message, 64 bytes.
    """

    ECDSA_SHA256 = "ecdsa-sha256"
    ECDSA_PREHASHED = "ecdsa-prehashed"
    ECDSA_RECOVERABLE = "ecdsa-recoverable"
    ED25519 = "ed25519"


@dataclass(frozen=True)
class KeyInfo:
    """A key created inside the enclave: its reference and public half (compressed for EC)."""

    key_ref: str
    key_type: KeyType
    public_key: bytes
    exportable: bool


@dataclass(frozen=True)
class SealContext:
    """What a sealed blob belongs to; it is bound into the AEAD associated data."""

    service: str
    object_id: str
    version: int = 1

    def aad(self) -> bytes:
        return f"nsl-seal|{self.service}|{self.object_id}|{self.version}".encode()


@dataclass(frozen=True)
class DataKey:
    """A fresh AES-256 data key: use ``plaintext`` and forget it; store only ``wrapped``."""

    plaintext: bytes
    wrapped: bytes

    def __repr__(self) -> str:
        return f"DataKey(plaintext=<hidden>, wrapped={len(self.wrapped)} bytes)"


@dataclass(frozen=True)
class AttestationReport:
    """A signed statement of which enclave answered, over caller-supplied data.

    ``body`` is the canonical JSON that ``signature`` (Ed25519 by the enclave identity key,
    whose public half is ``identity_public_key``) covers.
    """

    body: bytes
    signature: bytes
    identity_public_key: bytes
    document: dict[str, Any]


class EnclaveError(NslError):
    """The enclave refused or failed an operation."""

    status = 500
    code = "enclave.error"
    title = "Enclave operation failed"


class EnclaveUnsupported(BadRequest):
    """This provider does not offer the curve or operation asked for."""

    code = "enclave.unsupported"
    title = "Not offered by this enclave provider"


class EnclaveDecryptFailed(BadRequest):
    """A ciphertext or sealed blob that does not open under this key and context."""

    code = "enclave.decrypt_failed"
    title = "Ciphertext does not open"


class EnclaveKeyUnknown(NslError):
    """No key with this reference in the enclave (destroyed, or never created here)."""

    status = 404
    code = "enclave.key_unknown"
    title = "Enclave key not found"


class Enclave(Protocol):
    """Key generation and use, envelope encryption, sealing, randomness and attestation."""

    provider: str

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def health(self) -> Check: ...

    # asymmetric keys -------------------------------------------------------------------
    async def generate_key(
        self, key_type: KeyType, *, purpose: str, exportable: bool = False
    ) -> KeyInfo: ...

    async def public_key(self, key_ref: str) -> bytes: ...

    async def sign(self, key_ref: str, message: bytes, algorithm: SignAlgorithm) -> bytes: ...

    async def vrf_prove(self, key_ref: str, alpha: bytes) -> bytes:
        """An ECVRF proof (RFC 9381) for ``alpha``: P256-SHA256-TAI for secp256r1 keys,
        EDWARDS25519-SHA512-TAI for ed25519 keys."""
        ...

    async def export_key(self, key_ref: str, recipient_public_key: bytes) -> bytes:
        """The private key wrapped for a caller's X25519 or P-256 public key (exportable only)."""
        ...

    async def destroy_key(self, key_ref: str) -> None: ...

    # symmetric: envelope encryption and sealing ----------------------------------------
    async def create_wrapping_key(self, *, purpose: str) -> str:
        """A new AES-256 key that never leaves the enclave; returns its ``key_ref``."""
        ...

    async def encrypt(self, key_ref: str, plaintext: bytes, aad: bytes) -> bytes: ...

    async def decrypt(self, key_ref: str, ciphertext: bytes, aad: bytes) -> bytes: ...

    async def generate_data_key(self, key_ref: str, aad: bytes) -> DataKey: ...

    async def unwrap_data_key(self, key_ref: str, wrapped: bytes, aad: bytes) -> bytes: ...

    async def seal(self, context: SealContext, plaintext: bytes) -> bytes:
        """Encrypt under the enclave's sealing key for ``context.service``."""
        ...

    async def unseal(self, context: SealContext, blob: bytes) -> bytes: ...

    # other -----------------------------------------------------------------------------
    async def random_bytes(self, length: int) -> bytes: ...

    async def attest(self, user_data: bytes) -> AttestationReport: ...
