"""Encryption with EC keys (ECIES inside the enclave): round trips, associated data, tampering,
versions after rotation, and data keys for envelope encryption."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from keys_harness import ALICE

from nsl.core.enclave import EnclaveDecryptFailed
from nsl.services.keys import errors
from nsl.services.keys.schemas import CreateKey, DataKeyBody, DecryptBody, EncryptBody
from nsl.services.keys.service import KeysService

SECRET = b"database password: hunter2"
USAGES = ["encrypt", "decrypt"]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def create(keys: KeysService, key_type: str, usages: list[str] | None = None) -> str:
    body = CreateKey(key_type=key_type, usages=usages or USAGES)
    key_id: str = (await keys.create(body, principal=ALICE))["key_id"]
    return key_id


async def encrypt(keys: KeysService, key_id: str, data: bytes, aad: str | None = None) -> str:
    body = EncryptBody(plaintext=b64(data), aad=aad)
    ciphertext: str = (await keys.encrypt(key_id, body, principal=ALICE))["ciphertext"]
    return ciphertext


async def decrypt(keys: KeysService, key_id: str, ciphertext: str, aad: str | None = None) -> Any:
    result = await keys.decrypt(
        key_id, DecryptBody(ciphertext=ciphertext, aad=aad), principal=ALICE
    )
    return base64.b64decode(result["plaintext"]), result["key_version"]


@pytest.mark.parametrize("key_type", ["secp256r1", "secp256k1"])
async def test_round_trip_with_associated_data(keys: KeysService, key_type: str) -> None:
    key_id = await create(keys, key_type)
    ciphertext = await encrypt(keys, key_id, SECRET, aad="c0ffee")
    assert ciphertext.startswith("nsl:v1:") and b64(SECRET) not in ciphertext
    assert await decrypt(keys, key_id, ciphertext, aad="c0ffee") == (SECRET, 1)
    assert await encrypt(keys, key_id, SECRET, aad="c0ffee") != ciphertext  # fresh randomness
    for aad in (None, "c0ffef"):
        with pytest.raises(EnclaveDecryptFailed) as caught:
            await decrypt(keys, key_id, ciphertext, aad=aad)
        assert caught.value.status == 400


async def test_tampered_or_foreign_ciphertext_is_refused(keys: KeysService) -> None:
    key_id, other = await create(keys, "secp256r1"), await create(keys, "secp256r1")
    ciphertext = await encrypt(keys, key_id, SECRET)
    prefix, body = ciphertext.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[-20] ^= 0x01
    tampered = prefix + ":" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(EnclaveDecryptFailed):
        await decrypt(keys, key_id, tampered)
    with pytest.raises(EnclaveDecryptFailed):
        await decrypt(keys, other, ciphertext)
    with pytest.raises(errors.VersionUnavailable):
        await decrypt(keys, key_id, "nsl:v9:" + body)
    with pytest.raises(errors.InvalidInput) as caught:
        await decrypt(keys, key_id, "vault:v1:" + body)
    assert caught.value.fields[0].field == "ciphertext"


async def test_old_ciphertexts_decrypt_after_rotation(keys: KeysService) -> None:
    key_id = await create(keys, "secp256k1")
    old = await encrypt(keys, key_id, SECRET)
    await keys.rotate(key_id, principal=ALICE)
    new = await encrypt(keys, key_id, SECRET)
    assert new.startswith("nsl:v2:")
    assert await decrypt(keys, key_id, old) == (SECRET, 1)
    assert await decrypt(keys, key_id, new) == (SECRET, 2)


async def test_data_keys_for_envelope_encryption(keys: KeysService) -> None:
    key_id = await create(keys, "secp256r1")
    issued = await keys.datakey(key_id, DataKeyBody(aad="01"), principal=ALICE)
    data_key = base64.b64decode(issued["plaintext"])
    assert len(data_key) == 32 and issued["key_version"] == 1
    # the caller encrypts locally with it, keeps only the wrapped form, and unwraps later
    envelope = AESGCM(data_key).encrypt(b"\x00" * 12, SECRET, None)
    unwrapped, _ = await decrypt(keys, key_id, issued["ciphertext"], aad="01")
    assert AESGCM(unwrapped).decrypt(b"\x00" * 12, envelope, None) == SECRET

    hidden = await keys.datakey(key_id, DataKeyBody(), principal=ALICE, plaintext=False)
    assert "plaintext" not in hidden
    assert len((await decrypt(keys, key_id, hidden["ciphertext"]))[0]) == 32
    assert (await keys.get(key_id, principal=ALICE))["usage"]["encrypt"] == 2


async def test_encryption_needs_the_usage(keys: KeysService) -> None:
    signer = await create(keys, "secp256r1", usages=["sign"])
    with pytest.raises(errors.UsageNotAllowed):
        await encrypt(keys, signer, SECRET)
    with pytest.raises(errors.UsageNotAllowed):
        await keys.datakey(signer, DataKeyBody(), principal=ALICE)
    with pytest.raises(errors.InvalidInput) as caught:
        await keys.create(CreateKey(key_type="ed25519", usages=USAGES), principal=ALICE)
    assert caught.value.fields[0].rule == "usage_for_key_type"
    encrypter = await create(keys, "secp256r1", usages=["encrypt"])
    ciphertext = await encrypt(keys, encrypter, SECRET)
    with pytest.raises(errors.UsageNotAllowed):
        await decrypt(keys, encrypter, ciphertext)
    with pytest.raises(errors.InvalidInput) as bad:
        await keys.encrypt(encrypter, EncryptBody(plaintext="***"), principal=ALICE)
    assert bad.value.fields[0].field == "plaintext"
