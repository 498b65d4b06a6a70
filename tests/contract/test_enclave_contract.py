"""One contract for every enclave provider (software, pkcs11 on SoftHSM2), through the protocol.

Signatures are checked with independent libraries (``cryptography``, coincurve, eth-keys) as
well as ``verify_signature``. Behaviour that differs by provider is asserted explicitly per
provider (``SOFTWARE_ONLY``), never skipped. Without SoftHSM2 the pkcs11 cases skip on a
laptop and fail under ``CI=true``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import coincurve
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from eth_keys import keys as eth
from tests.softhsm import fresh_token

from nsl.core.clock import ManualClock
from nsl.core.enclave import (
    Enclave,
    EnclaveDecryptFailed,
    EnclaveKeyUnknown,
    EnclaveUnsupported,
    KeyType,
    SealContext,
    SignAlgorithm,
)
from nsl.core.errors import Forbidden, ValidationFailed
from nsl.core.health import Status
from nsl.core.metrics import Metrics
from nsl.core.settings import DatabaseSettings, Settings
from nsl.enclave import attestation
from nsl.enclave.ecvrf import P256_SHA256_TAI
from nsl.enclave.sealed import SEAL_PREFIX, unpack_sealed
from nsl.enclave.signatures import verify_signature

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SOFTWARE_ONLY = {"software"}  # providers that export keys and prove ECVRF
TOKEN = "nsl-contract"


@dataclass
class EnclaveCase:
    provider: str
    settings: Settings
    database: Any
    clock: ManualClock
    enclave: Enclave = field(init=False)

    def build(self) -> Enclave:
        if self.provider == "pkcs11":
            from nsl.enclave.pkcs11 import Pkcs11Enclave

            return Pkcs11Enclave(self.settings, self.database, self.clock)
        from nsl.enclave.software import SoftwareEnclave

        return SoftwareEnclave(self.settings, self.database, self.clock)

    async def restart(self) -> Enclave:
        """Close this provider instance and start a new one over the same database/token."""
        await self.enclave.close()
        self.enclave = self.build()
        await self.enclave.start()
        return self.enclave


@pytest.fixture(params=["software", "pkcs11"])
async def case(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    metrics: Metrics,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[EnclaveCase]:
    from nsl.db.engine import Database
    from nsl.db.migrate import upgrade

    enclave_settings: dict[str, Any] = {"provider": request.param}
    if request.param == "pkcs11":
        enclave_settings["pkcs11"] = fresh_token(tmp_path / "softhsm", monkeypatch, TOKEN)
    url = f"sqlite+aiosqlite:///{tmp_path / 'nsl.db'}"
    await upgrade(url)
    database = Database(url, DatabaseSettings(pool_min=1, pool_max=2), metrics)
    settings = Settings(env="test", data_dir=tmp_path / "data", enclave=enclave_settings)
    case = EnclaveCase(request.param, settings, database, ManualClock())
    case.enclave = case.build()
    await case.enclave.start()
    yield case
    await case.enclave.close()
    await database.dispose()


# independent verifiers --------------------------------------------------------------------
def p256_verifies(public_key: bytes, digest: bytes, signature: bytes) -> bool:
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key)
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big")
    )
    try:
        key.verify(der, digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    except InvalidSignature:
        return False
    return True


def secp256k1_verifies(public_key: bytes, digest: bytes, signature: bytes) -> bool:
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big")
    )
    coincurve_ok = coincurve.PublicKey(public_key).verify(der, digest, hasher=None)
    eth_key = eth.PublicKey.from_compressed_bytes(public_key)
    eth_ok = eth_key.verify_msg_hash(digest, eth.Signature(signature[:64] + b"\x00"))
    assert coincurve_ok == eth_ok
    return bool(coincurve_ok)


def ed25519_verifies(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def s_of(signature: bytes) -> int:
    return int.from_bytes(signature[32:64], "big")


# keys and signatures --------------------------------------------------------------------
async def test_secp256r1_keys_sign_verifiably_with_low_s(case: EnclaveCase) -> None:
    info = await case.enclave.generate_key(KeyType.SECP256R1, purpose="contract")
    assert info.key_type is KeyType.SECP256R1 and not info.exportable
    assert len(info.public_key) == 33 and info.public_key[0] in (2, 3)
    assert await case.enclave.public_key(info.key_ref) == info.public_key
    message = b"neo n3 transaction bytes"
    for _ in range(16):  # a raw ECDSA signer gives a high s half the time
        signature = await case.enclave.sign(info.key_ref, message, SignAlgorithm.ECDSA_SHA256)
        assert len(signature) == 64 and s_of(signature) <= P256_ORDER // 2
        assert p256_verifies(info.public_key, hashlib.sha256(message).digest(), signature)
        assert verify_signature(
            KeyType.SECP256R1, info.public_key, message, signature, SignAlgorithm.ECDSA_SHA256
        )
    digest = hashlib.sha256(b"prehashed").digest()
    signature = await case.enclave.sign(info.key_ref, digest, SignAlgorithm.ECDSA_PREHASHED)
    assert p256_verifies(info.public_key, digest, signature)
    assert not p256_verifies(info.public_key, hashlib.sha256(b"other").digest(), signature)
    with pytest.raises(EnclaveUnsupported):
        await case.enclave.sign(info.key_ref, digest, SignAlgorithm.ECDSA_RECOVERABLE)
    with pytest.raises(EnclaveUnsupported):
        await case.enclave.sign(info.key_ref, message, SignAlgorithm.ED25519)
    with pytest.raises(ValidationFailed):
        await case.enclave.sign(info.key_ref, b"short", SignAlgorithm.ECDSA_PREHASHED)


async def test_secp256k1_keys_sign_and_recover(case: EnclaveCase) -> None:
    info = await case.enclave.generate_key(KeyType.SECP256K1, purpose="contract")
    assert len(info.public_key) == 33 and info.public_key[0] in (2, 3)
    recovery_ids = set()
    for index in range(24):
        digest = hashlib.sha256(b"evm %d" % index).digest()
        signature = await case.enclave.sign(info.key_ref, digest, SignAlgorithm.ECDSA_RECOVERABLE)
        assert len(signature) == 65 and signature[64] in (0, 1)
        assert s_of(signature) <= K1_ORDER // 2
        recovery_ids.add(signature[64])
        recovered = coincurve.PublicKey.from_signature_and_message(signature, digest, hasher=None)
        assert recovered.format() == info.public_key
        eth_recovered = eth.Signature(signature).recover_public_key_from_msg_hash(digest)
        assert eth_recovered.to_compressed_bytes() == info.public_key
        assert verify_signature(
            KeyType.SECP256K1, info.public_key, digest, signature, SignAlgorithm.ECDSA_RECOVERABLE
        )
    assert recovery_ids == {0, 1}  # 24 signatures: both ids appear but for p = 2^-23
    message = b"neo x"
    signature = await case.enclave.sign(info.key_ref, message, SignAlgorithm.ECDSA_SHA256)
    assert len(signature) == 64
    assert secp256k1_verifies(info.public_key, hashlib.sha256(message).digest(), signature)
    assert not secp256k1_verifies(info.public_key, hashlib.sha256(b"x").digest(), signature)


async def test_ed25519_keys_sign_verifiably(case: EnclaveCase) -> None:
    info = await case.enclave.generate_key(KeyType.ED25519, purpose="contract")
    assert len(info.public_key) == 32
    message = b"any length of message " * 10
    signature = await case.enclave.sign(info.key_ref, message, SignAlgorithm.ED25519)
    assert ed25519_verifies(info.public_key, message, signature)
    assert not ed25519_verifies(info.public_key, message + b"!", signature)
    assert verify_signature(
        KeyType.ED25519, info.public_key, message, signature, SignAlgorithm.ED25519
    )
    with pytest.raises(EnclaveUnsupported):
        await case.enclave.sign(info.key_ref, message, SignAlgorithm.ECDSA_SHA256)


async def test_keys_are_distinct_and_concurrent_signing_holds(case: EnclaveCase) -> None:
    first, second = [
        await case.enclave.generate_key(KeyType.SECP256R1, purpose="contract") for _ in range(2)
    ]
    assert first.key_ref != second.key_ref and first.public_key != second.public_key
    messages = [b"message %d" % i for i in range(40)]
    signatures = await asyncio.gather(
        *(case.enclave.sign(first.key_ref, m, SignAlgorithm.ECDSA_SHA256) for m in messages)
    )
    for message, signature in zip(messages, signatures, strict=True):
        assert p256_verifies(first.public_key, hashlib.sha256(message).digest(), signature)
        assert not p256_verifies(second.public_key, hashlib.sha256(message).digest(), signature)


async def test_bad_requests_are_client_errors(case: EnclaveCase) -> None:
    with pytest.raises(ValidationFailed):
        await case.enclave.generate_key(KeyType.SECP256R1, purpose="p" * 129)
    wrapping = await case.enclave.create_wrapping_key(purpose="contract")
    with pytest.raises(EnclaveUnsupported):  # a wrapping key does not sign
        await case.enclave.sign(wrapping, b"x", SignAlgorithm.ECDSA_SHA256)
    with pytest.raises(EnclaveKeyUnknown):
        await case.enclave.sign("01NOSUCHKEY000000000000000", b"x", SignAlgorithm.ED25519)


# encryption ---------------------------------------------------------------------------------
async def test_wrapping_key_encrypts_with_aad_binding(case: EnclaveCase) -> None:
    key = await case.enclave.create_wrapping_key(purpose="contract")
    other = await case.enclave.create_wrapping_key(purpose="contract")
    for plaintext in (b"", b"secret value", os.urandom(70_000)):
        ciphertext = await case.enclave.encrypt(key, plaintext, b"aad-1")
        # shared layout: 0x02 ‖ 12-byte nonce ‖ AES-256-GCM ciphertext ‖ 16-byte tag
        assert ciphertext[:1] == b"\x02" and len(ciphertext) == 1 + 12 + len(plaintext) + 16
        assert plaintext == b"" or plaintext not in ciphertext
        assert await case.enclave.decrypt(key, ciphertext, b"aad-1") == plaintext
    ciphertext = await case.enclave.encrypt(key, b"secret value", b"aad-1")
    assert ciphertext != await case.enclave.encrypt(key, b"secret value", b"aad-1")
    with pytest.raises(EnclaveDecryptFailed):
        await case.enclave.decrypt(key, ciphertext, b"aad-2")
    with pytest.raises(EnclaveDecryptFailed):
        await case.enclave.decrypt(other, ciphertext, b"aad-1")
    tampered = ciphertext[:-1] + bytes([ciphertext[-1] ^ 1])
    with pytest.raises(EnclaveDecryptFailed):
        await case.enclave.decrypt(key, tampered, b"aad-1")
    with pytest.raises(ValidationFailed):
        await case.enclave.decrypt(key, b"\x02short", b"aad-1")


@pytest.mark.parametrize("key_type", [KeyType.SECP256R1, KeyType.SECP256K1])
async def test_ec_keys_encrypt_to_themselves(case: EnclaveCase, key_type: KeyType) -> None:
    info = await case.enclave.generate_key(key_type, purpose="contract")
    other = await case.enclave.generate_key(key_type, purpose="contract")
    ciphertext = await case.enclave.encrypt(info.key_ref, b"for the key holder", b"ctx")
    assert ciphertext[:1] == b"\x01"  # nsl-ecies-v1
    assert await case.enclave.decrypt(info.key_ref, ciphertext, b"ctx") == b"for the key holder"
    with pytest.raises(EnclaveDecryptFailed):
        await case.enclave.decrypt(info.key_ref, ciphertext, b"other ctx")
    with pytest.raises(EnclaveDecryptFailed):
        await case.enclave.decrypt(other.key_ref, ciphertext, b"ctx")
    not_a_point = ciphertext[:1] + b"\x05" + ciphertext[2:]
    with pytest.raises(ValidationFailed):
        await case.enclave.decrypt(info.key_ref, not_a_point, b"ctx")


async def test_ed25519_keys_do_not_encrypt(case: EnclaveCase) -> None:
    info = await case.enclave.generate_key(KeyType.ED25519, purpose="contract")
    with pytest.raises(EnclaveUnsupported):
        await case.enclave.encrypt(info.key_ref, b"x", b"")
    with pytest.raises(EnclaveUnsupported):
        await case.enclave.generate_data_key(info.key_ref, b"")


async def test_data_keys_unwrap_to_the_same_plaintext(case: EnclaveCase) -> None:
    wrapping = await case.enclave.create_wrapping_key(purpose="contract")
    ec_key = await case.enclave.generate_key(KeyType.SECP256R1, purpose="contract")
    for key_ref in (wrapping, ec_key.key_ref):
        data_key = await case.enclave.generate_data_key(key_ref, b"record-7")
        assert len(data_key.plaintext) == 32 and data_key.plaintext not in data_key.wrapped
        assert data_key.plaintext.hex() not in repr(data_key)
        unwrapped = await case.enclave.unwrap_data_key(key_ref, data_key.wrapped, b"record-7")
        assert unwrapped == data_key.plaintext
        with pytest.raises(EnclaveDecryptFailed):
            await case.enclave.unwrap_data_key(key_ref, data_key.wrapped, b"record-8")
    first = await case.enclave.generate_data_key(wrapping, b"")
    second = await case.enclave.generate_data_key(wrapping, b"")
    assert first.plaintext != second.plaintext


# sealing ------------------------------------------------------------------------------------
async def test_seal_binds_service_object_and_version(case: EnclaveCase) -> None:
    context = SealContext("secrets", "path/a", 3)
    blob = await case.enclave.seal(context, b"sealed secret")
    assert blob.startswith(SEAL_PREFIX) and b"sealed secret" not in blob
    assert await case.enclave.unseal(context, blob) == b"sealed secret"
    for wrong in (
        SealContext("configuration", "path/a", 3),
        SealContext("secrets", "path/b", 3),
        SealContext("secrets", "path/a", 4),
    ):
        with pytest.raises(EnclaveDecryptFailed):
            await case.enclave.unseal(wrong, blob)
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(EnclaveDecryptFailed):
        await case.enclave.unseal(context, tampered)
    with pytest.raises(EnclaveDecryptFailed):
        await case.enclave.unseal(context, b"not a sealed blob")
    other_service = await case.enclave.seal(SealContext("keys", "k", 1), b"x")
    same_service = await case.enclave.seal(SealContext("secrets", "path/z", 1), b"y")
    assert unpack_sealed(other_service)[0] != unpack_sealed(blob)[0]  # one key per service
    assert unpack_sealed(same_service)[0] == unpack_sealed(blob)[0]


# randomness and attestation ---------------------------------------------------------------
async def test_random_bytes(case: EnclaveCase) -> None:
    for length in (1, 32, 1000, 1024 * 1024):
        assert len(await case.enclave.random_bytes(length)) == length
    draws = {await case.enclave.random_bytes(32) for _ in range(20)}
    assert len(draws) == 20
    for bad in (0, -1, 1024 * 1024 + 1):
        with pytest.raises(ValidationFailed):
            await case.enclave.random_bytes(bad)


async def test_attestation_verifies_and_names_its_provider(case: EnclaveCase) -> None:
    report = await case.enclave.attest(b"nonce-42")
    document = attestation.verify_report(
        report.body, report.signature, expected_measurement=attestation.measurement()
    )
    assert document["provider"] == case.provider
    assert document["user_data"] == b"nonce-42".hex()
    assert document["identity_public_key"] == report.identity_public_key.hex()
    assert document["hardware_isolation"] is False  # neither the software nor SoftHSM2 is
    assert "no hardware isolation" in document["notice"]
    if case.provider == "pkcs11":
        assert document["token"]["manufacturer"] == "SoftHSM project"
        assert document["token"]["label"] == TOKEN
    else:
        assert "token" not in document
    again = await case.enclave.attest(b"other")
    assert again.identity_public_key == report.identity_public_key
    forged = report.body.replace(b"nonce-42".hex().encode(), b"nonce-43".hex().encode())
    with pytest.raises(ValidationFailed):
        attestation.verify_report(forged, report.signature)
    with pytest.raises(ValidationFailed):
        await case.enclave.attest(b"x" * 1025)


async def test_health_reports_ok(case: EnclaveCase) -> None:
    check = await case.enclave.health()
    assert check.status is Status.OK and case.provider in check.detail


# lifecycle ----------------------------------------------------------------------------------
async def test_destroyed_keys_are_unknown(case: EnclaveCase) -> None:
    info = await case.enclave.generate_key(KeyType.SECP256K1, purpose="contract")
    wrapping = await case.enclave.create_wrapping_key(purpose="contract")
    ciphertext = await case.enclave.encrypt(wrapping, b"x", b"")
    await case.enclave.destroy_key(info.key_ref)
    await case.enclave.destroy_key(wrapping)
    digest = hashlib.sha256(b"x").digest()
    with pytest.raises(EnclaveKeyUnknown):
        await case.enclave.sign(info.key_ref, digest, SignAlgorithm.ECDSA_RECOVERABLE)
    with pytest.raises(EnclaveKeyUnknown):
        await case.enclave.public_key(info.key_ref)
    with pytest.raises(EnclaveKeyUnknown):
        await case.enclave.decrypt(wrapping, ciphertext, b"")
    with pytest.raises(EnclaveKeyUnknown):
        await case.enclave.destroy_key(info.key_ref)
    with pytest.raises(EnclaveKeyUnknown):
        await case.enclave.destroy_key("01NOSUCHKEY000000000000000")
    restarted = await case.restart()
    with pytest.raises(EnclaveKeyUnknown):
        await restarted.sign(info.key_ref, digest, SignAlgorithm.ECDSA_RECOVERABLE)


async def test_keys_survive_a_restart(case: EnclaveCase) -> None:
    enclave = case.enclave
    keys = {kt: await enclave.generate_key(kt, purpose="contract") for kt in KeyType}
    wrapping = await enclave.create_wrapping_key(purpose="contract")
    ciphertext = await enclave.encrypt(wrapping, b"kept", b"aad")
    ecies = await enclave.encrypt(keys[KeyType.SECP256K1].key_ref, b"kept too", b"aad")
    context = SealContext("secrets", "a", 1)
    blob = await enclave.seal(context, b"sealed")
    identity = (await enclave.attest(b"")).identity_public_key

    restarted = await case.restart()
    for key_type, info in keys.items():
        assert await restarted.public_key(info.key_ref) == info.public_key
        message = hashlib.sha256(key_type.value.encode()).digest()
        algorithm = {
            KeyType.SECP256R1: SignAlgorithm.ECDSA_PREHASHED,
            KeyType.SECP256K1: SignAlgorithm.ECDSA_RECOVERABLE,
            KeyType.ED25519: SignAlgorithm.ED25519,
        }[key_type]
        signature = await restarted.sign(info.key_ref, message, algorithm)
        assert verify_signature(key_type, info.public_key, message, signature, algorithm)
    assert await restarted.decrypt(wrapping, ciphertext, b"aad") == b"kept"
    secp256k1 = keys[KeyType.SECP256K1].key_ref
    assert await restarted.decrypt(secp256k1, ecies, b"aad") == b"kept too"
    assert await restarted.unseal(context, blob) == b"sealed"
    assert (await restarted.attest(b"")).identity_public_key == identity


# provider-specific, asserted explicitly ----------------------------------------------------
async def test_export_only_on_the_software_provider(case: EnclaveCase) -> None:
    recipient = ec.generate_private_key(ec.SECP256R1())
    recipient_public = recipient.public_key().public_bytes(
        Encoding.X962, PublicFormat.CompressedPoint
    )
    plain = await case.enclave.generate_key(KeyType.SECP256K1, purpose="contract")
    if case.provider not in SOFTWARE_ONLY:
        with pytest.raises(EnclaveUnsupported, match="exportable keys need the software"):
            await case.enclave.generate_key(KeyType.SECP256K1, purpose="c", exportable=True)
        with pytest.raises(EnclaveUnsupported, match="exportable keys need the software"):
            await case.enclave.export_key(plain.key_ref, recipient_public)
        return
    with pytest.raises(Forbidden):
        await case.enclave.export_key(plain.key_ref, recipient_public)
    info = await case.enclave.generate_key(KeyType.SECP256K1, purpose="c", exportable=True)
    blob = await case.enclave.export_key(info.key_ref, recipient_public)
    # unwrap nsl-export-v1 independently: ECDH + HKDF-SHA256 + AES-256-GCM
    ephemeral = blob[1:34]
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ephemeral)
    shared = recipient.exchange(ec.ECDH(), peer)
    hkdf_info = b"nsl-ecies-v1|secp256r1|" + ephemeral + recipient_public
    aes_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=hkdf_info).derive(shared)
    secret = AESGCM(aes_key).decrypt(blob[34:46], blob[46:], b"nsl-export-v1|secp256k1")
    assert coincurve.PrivateKey(secret).public_key.format() == info.public_key


async def test_ecvrf_only_on_the_software_provider(case: EnclaveCase) -> None:
    info = await case.enclave.generate_key(KeyType.SECP256R1, purpose="vrf")
    if case.provider not in SOFTWARE_ONLY:
        with pytest.raises(EnclaveUnsupported, match="ECVRF proofs need the software provider"):
            await case.enclave.vrf_prove(info.key_ref, b"alpha")
        return
    proof = await case.enclave.vrf_prove(info.key_ref, b"alpha")
    beta = P256_SHA256_TAI.verify(info.public_key, proof, b"alpha")
    assert len(beta) == 32
