"""The pkcs11 provider on a real SoftHSM2 token: where keys live, login sharing, clear refusals.

The shared behaviour is in ``tests/contract/test_enclave_contract.py``; this file looks inside
the token (its own session, under the enclave's login) and at the ``enclave_items`` rows.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pkcs11
import pytest
from pkcs11 import Attribute, ObjectClass
from pkcs11.exceptions import AttributeSensitive
from sqlalchemy import select
from tests.softhsm import PIN, fresh_token

from nsl.core.clock import ManualClock
from nsl.core.enclave import EnclaveError, EnclaveUnsupported, KeyType, SealContext, SignAlgorithm
from nsl.core.settings import Settings
from nsl.enclave.factory import build_enclave
from nsl.enclave.models import EnclaveItem
from nsl.enclave.pkcs11 import Pkcs11Enclave
from nsl.enclave.pkcs11_thread import call
from nsl.enclave.signatures import verify_signature
from nsl.enclave.softhsm import DEFAULT_MODULE

LABEL = "nsl-test"
NEVER_OUT = (Attribute.SENSITIVE, Attribute.ALWAYS_SENSITIVE, Attribute.NEVER_EXTRACTABLE)


def settings(tmp_path: Path, pkcs11_settings: dict[str, Any], env: str = "test") -> Settings:
    return Settings(
        env=env,
        data_dir=tmp_path / "var",
        enclave={"provider": "pkcs11", "pkcs11": pkcs11_settings},
    )


async def started(tmp_path: Path, database: Any, pkcs11_settings: dict[str, Any]) -> Pkcs11Enclave:
    enclave = Pkcs11Enclave(settings(tmp_path, pkcs11_settings), database, ManualClock())
    await enclave.start()
    return enclave


async def token_objects(key_id: str, label: str = LABEL) -> list[dict[str, Any]]:
    """Every token object with this ``CKA_ID``: class, flags, and whether its value reads."""

    def read() -> list[dict[str, Any]]:
        token = pkcs11.lib(str(DEFAULT_MODULE)).get_token(token_label=label)
        found = []
        with token.open() as session:  # no PIN: the enclave's login covers this process
            for obj in session.get_objects({Attribute.ID: key_id.encode()}):
                facts: dict[str, Any] = {"class": obj[Attribute.CLASS]}
                facts["token"] = obj[Attribute.TOKEN]
                if facts["class"] != ObjectClass.PUBLIC_KEY:
                    facts["local"] = obj[Attribute.LOCAL]
                    facts["extractable"] = obj[Attribute.EXTRACTABLE]
                    facts.update({a: obj[a] for a in NEVER_OUT})
                    try:
                        obj[Attribute.VALUE]
                        facts["value_readable"] = True
                    except AttributeSensitive:
                        facts["value_readable"] = False
                found.append(facts)
        return found

    return await call(read)


async def secret_keys_in_token(label: str = LABEL) -> int:
    def count() -> int:
        token = pkcs11.lib(str(DEFAULT_MODULE)).get_token(token_label=label)
        with token.open() as session:
            return len(list(session.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY})))

    return await call(count)


async def row(database: Any, item_id: str) -> EnclaveItem:
    async with database.session() as session:
        return (
            await session.execute(select(EnclaveItem).where(EnclaveItem.id == item_id))
        ).scalar_one()


def assert_locked_in(facts: dict[str, Any]) -> None:
    assert facts["token"] and facts["local"]  # generated inside the token, stored there
    assert not facts["extractable"] and not facts["value_readable"]
    assert all(facts[a] for a in NEVER_OUT)


async def test_keys_are_generated_in_the_token_and_never_leave(
    tmp_path: Path, database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    enclave = await started(tmp_path, database, fresh_token(tmp_path / "hsm", monkeypatch))
    try:
        for key_type in KeyType:
            info = await enclave.generate_key(key_type, purpose="test purpose")
            objects = await token_objects(info.key_ref)
            classes = sorted(o["class"] for o in objects)
            assert classes == [ObjectClass.PUBLIC_KEY, ObjectClass.PRIVATE_KEY]
            assert_locked_in(next(o for o in objects if o["class"] == ObjectClass.PRIVATE_KEY))
            item = await row(database, info.key_ref)
            assert (item.provider, item.kind, item.key_type) == ("pkcs11", "private", key_type)
            assert item.public_key == info.public_key and item.purpose == "test purpose"
            assert item.blob is None and item.master_id is None and not item.exportable
        wrapping = await enclave.create_wrapping_key(purpose="envelopes")
        (secret,) = await token_objects(wrapping)
        assert secret["class"] == ObjectClass.SECRET_KEY
        assert_locked_in(secret)
        item = await row(database, wrapping)
        assert (item.kind, item.key_type, item.blob, item.public_key) == (
            "wrapping",
            None,
            None,
            None,
        )
    finally:
        await enclave.close()


async def test_destroy_removes_the_token_objects(
    tmp_path: Path, database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    enclave = await started(tmp_path, database, fresh_token(tmp_path / "hsm", monkeypatch))
    try:
        info = await enclave.generate_key(KeyType.SECP256R1, purpose="test")
        wrapping = await enclave.create_wrapping_key(purpose="test")
        assert len(await token_objects(info.key_ref)) == 2
        await enclave.destroy_key(info.key_ref)
        await enclave.destroy_key(wrapping)
        assert await token_objects(info.key_ref) == []
        assert await token_objects(wrapping) == []
        assert (await row(database, info.key_ref)).destroyed_at is not None
    finally:
        await enclave.close()


async def test_enclaves_in_one_process_share_the_login(
    tmp_path: Path, database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = fresh_token(tmp_path / "hsm", monkeypatch)
    first = await started(tmp_path, database, token)
    second = await started(tmp_path, database, token)
    info = await first.generate_key(KeyType.SECP256K1, purpose="test")
    digest = bytes(range(32))
    await first.close()  # PKCS#11 logout is per application: the second must keep working
    signature = await second.sign(info.key_ref, digest, SignAlgorithm.ECDSA_RECOVERABLE)
    assert verify_signature(
        KeyType.SECP256K1, info.public_key, digest, signature, SignAlgorithm.ECDSA_RECOVERABLE
    )
    await second.close()
    third = await started(tmp_path, database, token)  # the last close logged out; log in again
    assert len(await third.sign(info.key_ref, digest, SignAlgorithm.ECDSA_PREHASHED)) == 64
    await third.close()


async def test_concurrent_first_seals_agree_on_one_key(
    tmp_path: Path, database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = fresh_token(tmp_path / "hsm", monkeypatch)
    enclaves = [await started(tmp_path, database, token) for _ in range(3)]  # "processes"
    context = SealContext("secrets", "race", 1)
    blobs = await asyncio.gather(
        *(e.seal(context, b"value %d" % i) for i, e in enumerate(enclaves))
    )
    for index, blob in enumerate(blobs):
        for enclave in enclaves:
            assert await enclave.unseal(context, blob) == b"value %d" % index
    async with database.session() as session:
        labelled = (
            (await session.execute(select(EnclaveItem).where(EnclaveItem.label == "seal:secrets")))
            .scalars()
            .all()
        )
        assert len(labelled) == 1
        losers = (
            (await session.execute(select(EnclaveItem.id).where(EnclaveItem.label.is_(None))))
            .scalars()
            .all()
        )
        assert losers == []  # a losing key is dropped from the token, never recorded
    assert len(await token_objects(labelled[0].id)) == 1
    assert await secret_keys_in_token() == 1  # the losers' AES keys were destroyed
    for enclave in enclaves:
        await enclave.close()


async def test_a_token_without_a_mechanism_says_so(
    tmp_path: Path, database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered = "CKM_EC_KEY_PAIR_GEN,CKM_ECDSA,CKM_AES_KEY_GEN,CKM_AES_GCM"  # no EdDSA, no ECDH
    token = fresh_token(tmp_path / "hsm", monkeypatch, options={"slots.mechanisms": offered})
    enclave = await started(tmp_path, database, token)
    try:
        with pytest.raises(EnclaveUnsupported, match=f"token '{LABEL}'.*ed25519") as refused:
            await enclave.generate_key(KeyType.ED25519, purpose="test")
        assert refused.value.status == 400
        assert "CKM_EC_EDWARDS_KEY_PAIR_GEN" in str(refused.value)
        with pytest.raises(EnclaveUnsupported, match="Ed25519 identity key"):
            await enclave.attest(b"")
        info = await enclave.generate_key(KeyType.SECP256R1, purpose="test")
        ciphertext = await enclave.encrypt(info.key_ref, b"public-key encryption", b"")
        with pytest.raises(EnclaveUnsupported, match="CKM_ECDH1_DERIVE"):
            await enclave.decrypt(info.key_ref, ciphertext, b"")
        assert await enclave.unseal(
            SealContext("s", "o"), await enclave.seal(SealContext("s", "o"), b"still seals")
        ) == (b"still seals")
        health = await enclave.health()
        assert "ed25519" not in health.detail and "secp256r1" in health.detail
    finally:
        await enclave.close()


async def test_start_failures_are_clear_and_keep_the_pin_out(
    tmp_path: Path, database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh_token(tmp_path / "hsm", monkeypatch)
    cases = [
        ({"token_label": LABEL, "pin": "wrong-pin-0000"}, "enclave.pkcs11_login_failed"),
        ({"token_label": "no-such-token", "pin": PIN}, "enclave.pkcs11_token_missing"),
        ({"token_label": LABEL, "pin": PIN, "module": str(tmp_path / "x.so")}, "module_missing"),
        ({"token_label": LABEL}, "enclave.pkcs11_pin_missing"),
    ]
    for pkcs11_settings, code in cases:
        enclave = Pkcs11Enclave(settings(tmp_path, pkcs11_settings), database, ManualClock())
        with pytest.raises(EnclaveError) as failed:
            await enclave.start()
        assert failed.value.code.endswith(code)
        assert "wrong-pin-0000" not in str(failed.value) and PIN not in str(failed.value)
        assert "wrong-pin-0000" not in repr(enclave)
    after = await started(tmp_path, database, {"token_label": LABEL, "pin": PIN})
    assert len(await after.random_bytes(16)) == 16  # a refused login left nothing behind
    await after.close()


async def test_the_factory_builds_it_and_production_accepts_it(
    tmp_path: Path, database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = fresh_token(tmp_path / "hsm", monkeypatch)
    enclave = build_enclave(settings(tmp_path, token, env="production"), database, ManualClock())
    assert isinstance(enclave, Pkcs11Enclave) and enclave.provider == "pkcs11"
    await enclave.start()
    try:
        info = await enclave.generate_key(KeyType.ED25519, purpose="test")
        assert len(await enclave.sign(info.key_ref, b"m", SignAlgorithm.ED25519)) == 64
    finally:
        await enclave.close()
