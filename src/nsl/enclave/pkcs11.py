"""The PKCS#11 enclave: keys generated and used inside an HSM token (SoftHSM2 in tests).

Sign/s, shared 2-core box, SoftHSM2 2.6.1, 64 concurrent callers (raw token calls, same run):
secp256r1 5,500-6,900 (11,700-13,500), secp256k1 1,300-1,800 (1,400-2,100), ed25519
2,800-3,500 (3,800-4,200); the software provider does 15,000-25,000 on each curve.
"""

from __future__ import annotations

import os

from pkcs11 import Mechanism
from pkcs11.exceptions import PKCS11Error

from nsl.core.clock import Clock
from nsl.core.enclave import (
    AttestationReport,
    DataKey,
    EnclaveDecryptFailed,
    EnclaveError,
    EnclaveUnsupported,
    KeyInfo,
    KeyType,
    SealContext,
    SignAlgorithm,
)
from nsl.core.errors import ValidationFailed
from nsl.core.health import Check, Status
from nsl.core.ports import Database
from nsl.core.settings import Settings
from nsl.enclave import attestation, ecies
from nsl.enclave import pkcs11_ops as ops
from nsl.enclave import pkcs11_shape as shape
from nsl.enclave.pkcs11_keys import PROVIDER, TokenKeys
from nsl.enclave.pkcs11_thread import call
from nsl.enclave.pkcs11_token import (
    TokenInfo,
    close_token,
    open_token,
)
from nsl.enclave.sealed import pack_sealed, unpack_sealed

WRAPPED = b"\x02"
NONCE = 12
MAX_RANDOM = 1024 * 1024
EXPORT_UNSUPPORTED = (
    "exportable keys need the software provider: a PKCS#11 token exports a private key only "
    "wrapped under another token key (C_WrapKey), not as nsl-export-v1 (ECDH + HKDF + AES-GCM "
    "to the caller's P-256 key), and re-wrapping it outside the token would put it in the clear"
)
VRF_UNSUPPORTED = (
    "ECVRF proofs need the software provider: PKCS#11 has no mechanism for the arithmetic "
    "a proof needs on the private scalar (s = k + c·x) nor for a full point multiplication "
    "by a token key"
)


class Pkcs11Enclave:
    """The ``Enclave`` protocol over a PKCS#11 token (``python-pkcs11``)."""

    provider = PROVIDER

    def __init__(self, settings: Settings, database: Database, clock: Clock) -> None:
        self._settings = settings.enclave.pkcs11
        self._clock = clock
        self._keys = TokenKeys(database, clock, settings.enclave.key_cache_size)

    def __repr__(self) -> str:
        token = self._keys.token.info.describe() if self._keys.token else "not open"
        return f"Pkcs11Enclave({token}, cached_keys={len(self._keys)})"

    @property
    def token_info(self) -> TokenInfo | None:
        """The token and what it offers (mechanisms, curves), once started."""
        return self._keys.token.info if self._keys.token else None

    # lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        if self._keys.token is not None:
            return
        pin = self._settings.pin
        if pin is None:
            raise EnclaveError(
                "the pkcs11 enclave needs the token's user PIN: set NSL_ENCLAVE__PKCS11__PIN",
                code="enclave.pkcs11_pin_missing",
            )
        module, label = self._settings.module, self._settings.token_label
        try:
            self._keys.token = await call(open_token, module, label, pin.get_secret_value())
        except PKCS11Error as exc:
            raise EnclaveError(
                f"opening PKCS#11 token '{label}' in {module} failed: {type(exc).__name__}",
                code="enclave.token_error",
            ) from exc

    async def close(self) -> None:
        self._keys.forget()
        token, self._keys.token = self._keys.token, None
        if token is not None:
            await call(close_token, token)

    async def health(self) -> Check:
        token = self._keys.token
        if token is None:
            return Check("enclave", Status.DOWN, "PKCS#11 token not open")
        info = token.info
        try:
            await call(ops.random_bytes, token.session, 8)
        except PKCS11Error as exc:
            return Check("enclave", Status.DOWN, f"{info.describe()}: {type(exc).__name__}")
        curves = ", ".join(sorted(info.curves))
        return Check("enclave", Status.OK, f"provider pkcs11, {info.describe()}, curves {curves}")

    # asymmetric keys -----------------------------------------------------------------------
    async def generate_key(
        self, key_type: KeyType, *, purpose: str, exportable: bool = False
    ) -> KeyInfo:
        if exportable:
            raise EnclaveUnsupported(EXPORT_UNSUPPORTED)
        key_type = KeyType(key_type)
        key = await self._keys.new_pair(key_type, purpose, None)
        return KeyInfo(key.item.id, key_type, key.public_key, False)

    async def public_key(self, key_ref: str) -> bytes:
        return (await self._keys.private(key_ref)).public_key

    async def sign(self, key_ref: str, message: bytes, algorithm: SignAlgorithm) -> bytes:
        key = await self._keys.private(key_ref)
        key_type = key.key_type
        shape.check_algorithm(key_type, algorithm)
        if key_type is KeyType.ED25519:
            self._keys.require(Mechanism.EDDSA, "Ed25519 signing")
            return await self._keys.call(ops.sign_eddsa, key.handle, message)
        digest = shape.digest(message, algorithm)
        self._keys.require(Mechanism.ECDSA, "ECDSA signing")
        for _ in range(4):
            raw = await self._keys.call(ops.sign_ecdsa, key.handle, digest)
            signature = shape.low_s_signature(key_type, raw)
            if algorithm is not SignAlgorithm.ECDSA_RECOVERABLE:
                return signature
            recid = shape.recovery_id(signature, digest, key.public_key)
            if recid is not None:
                return signature + bytes([recid])
            # r overflowed the order (probability ~2^-128): the id would be 2 or 3; sign again
        raise EnclaveError("no recoverable signature with a 0/1 recovery id", code="enclave.sign")

    async def vrf_prove(self, key_ref: str, alpha: bytes) -> bytes:
        await self._keys.private(key_ref)
        raise EnclaveUnsupported(VRF_UNSUPPORTED)

    async def export_key(self, key_ref: str, recipient_public_key: bytes) -> bytes:
        await self._keys.load(key_ref)
        raise EnclaveUnsupported(EXPORT_UNSUPPORTED)

    async def destroy_key(self, key_ref: str) -> None:
        await self._keys.destroy(key_ref)

    # symmetric -----------------------------------------------------------------------------
    async def create_wrapping_key(self, *, purpose: str) -> str:
        return (await self._keys.new_wrapping(purpose, None)).item.id

    async def encrypt(self, key_ref: str, plaintext: bytes, aad: bytes) -> bytes:
        key = await self._keys.load(key_ref)
        if key.item.kind == "wrapping":
            # the software provider's layout; the token runs AES-GCM with a host-drawn nonce
            self._keys.require(Mechanism.AES_GCM, "AES-GCM encryption")
            nonce = os.urandom(NONCE)
            sealed = await self._keys.call(ops.gcm_encrypt, key.handle, nonce, plaintext, aad)
            return WRAPPED + nonce + sealed
        if key.key_type is KeyType.ED25519:
            raise EnclaveUnsupported("Ed25519 keys do not encrypt; use a secp256r1/k1 key")
        return ecies.encrypt(key.key_type, key.public_key, plaintext, aad)

    async def decrypt(self, key_ref: str, ciphertext: bytes, aad: bytes) -> bytes:
        key = await self._keys.load(key_ref)
        if key.item.kind == "wrapping":
            if not ciphertext.startswith(WRAPPED) or len(ciphertext) < 1 + NONCE + 16:
                raise ValidationFailed.on("ciphertext", "format", "not a ciphertext of this key")
            self._keys.require(Mechanism.AES_GCM, "AES-GCM decryption")
            nonce, sealed = ciphertext[1 : 1 + NONCE], ciphertext[1 + NONCE :]
            return await self._keys.call(ops.gcm_decrypt, key.handle, nonce, sealed, aad)
        key_type = key.key_type
        if key_type is KeyType.ED25519:
            raise EnclaveUnsupported("Ed25519 keys do not encrypt; use a secp256r1/k1 key")
        self._keys.require(Mechanism.ECDH1_DERIVE, "ECIES decryption (ECDH)")

        # the token computes the ECDH x-coordinate and hands out that per-message secret for
        # HKDF (PKCS#11 2.40 has no HKDF); the private key itself never leaves
        def shared_x(ephemeral: bytes) -> bytes:
            return ops.ecdh_x(key.handle, shape.uncompressed(key_type, ephemeral))

        return await self._keys.call(
            ecies.decrypt, key_type, key.public_key, ciphertext, aad, shared_x
        )

    async def generate_data_key(self, key_ref: str, aad: bytes) -> DataKey:
        plaintext = await self.random_bytes(32)
        return DataKey(plaintext, await self.encrypt(key_ref, plaintext, aad))

    async def unwrap_data_key(self, key_ref: str, wrapped: bytes, aad: bytes) -> bytes:
        return await self.decrypt(key_ref, wrapped, aad)

    async def seal(self, context: SealContext, plaintext: bytes) -> bytes:
        key_ref = await self._keys.labelled_wrapping(f"seal:{context.service}")
        return pack_sealed(key_ref, await self.encrypt(key_ref, plaintext, context.aad()))

    async def unseal(self, context: SealContext, blob: bytes) -> bytes:
        key_ref, ciphertext = unpack_sealed(blob)
        key = await self._keys.load(key_ref)
        if key.item.label != f"seal:{context.service}" or key.item.kind != "wrapping":
            raise EnclaveDecryptFailed(f"not sealed for the {context.service} service")
        return await self.decrypt(key_ref, ciphertext, context.aad())

    # other ---------------------------------------------------------------------------------
    async def random_bytes(self, length: int) -> bytes:
        if not 1 <= length <= MAX_RANDOM:
            raise ValidationFailed.on("length", "range", f"between 1 and {MAX_RANDOM} bytes")
        return await self._keys.call(ops.random_bytes, self._keys.opened().session, length)

    async def attest(self, user_data: bytes) -> AttestationReport:
        identity = await self._keys.identity()
        info = self._keys.opened().info
        now = self._clock.now()

        def report() -> AttestationReport:
            return attestation.make_report(
                provider=PROVIDER,
                identity_public_key=identity.public_key,
                user_data=user_data,
                now=now,
                sign=lambda body: ops.sign_eddsa(identity.handle, body),
                hardware=info.hardware_slot,
                notice=info.attestation_notice(),
                details=info.attestation_details(),
            )

        return await self._keys.call(report)


__all__ = ["EXPORT_UNSUPPORTED", "PROVIDER", "VRF_UNSUPPORTED", "Pkcs11Enclave"]
