"""Signatures made in the enclave, checked with independent libraries: neo-mamba and
`cryptography` (secp256r1, Neo N3 witnesses), eth-account / eth-keys (secp256k1, EIP-191,
EIP-1559), `cryptography` (Ed25519)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_keys import keys as eth_keys
from eth_utils import keccak
from keys_harness import ALICE
from neo3 import vm
from neo3.contracts import contract
from neo3.contracts import utils as contract_utils
from neo3.core import cryptography as neo_crypto
from neo3.core import serialization, types
from neo3.network.payloads import transaction as mamba_tx
from neo3.network.payloads import verification
from neo3.wallet import utils as wallet_utils

from nsl.services.keys.errors import InvalidInput
from nsl.services.keys.schemas import CreateKey, SignBody, VerifyBody
from nsl.services.keys.service import KeysService

TESTNET_MAGIC = 894710606
DATA = b"neo service layer \x00\x01\x02"


async def new_key(keys: KeysService, key_type: str, **extra: Any) -> dict[str, Any]:
    return await keys.create(CreateKey(key_type=key_type, **extra), principal=ALICE)


async def sign(keys: KeysService, key_id: str, **body: Any) -> dict[str, Any]:
    return await keys.sign(key_id, SignBody(**body), principal=ALICE)


def p256(public: bytes) -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)


def der(signature: bytes) -> bytes:
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    return encode_dss_signature(r, s)


async def test_secp256r1_key_account_and_signature_match_neo_mamba(keys: KeysService) -> None:
    key = await new_key(keys, "secp256r1")
    public = bytes.fromhex(key["public_key"])
    assert len(public) == 33 and key["version"] == 1 and key["status"] == "active"
    point = neo_crypto.ECPoint.deserialize_from_bytes(public)
    mamba_hash = wallet_utils.public_key_to_script_hash(point)
    assert key["neo_address"] == wallet_utils.script_hash_to_address(mamba_hash)
    assert key["script_hash"] == "0x" + str(mamba_hash)
    assert "evm_address" not in key

    signed = await sign(keys, key["key_id"], data=DATA.hex())
    assert signed["scheme"] == "ecdsa-sha256" and signed["key_version"] == 1
    signature = bytes.fromhex(signed["signature"])
    assert len(signature) == 64
    assert neo_crypto.verify_signature(DATA, signature, public)
    p256(public).verify(der(signature), DATA, ec.ECDSA(hashes.SHA256()))
    assert not neo_crypto.verify_signature(DATA + b"!", signature, public)


async def test_prehashed_digest_is_signed_as_is(keys: KeysService) -> None:
    key = await new_key(keys, "secp256r1")
    digest = hashlib.sha256(DATA).digest()
    signed = await sign(keys, key["key_id"], data=digest.hex(), prehashed=True)
    signature = bytes.fromhex(signed["signature"])
    public = bytes.fromhex(key["public_key"])
    # a signature over SHA-256(DATA): verifies as a signature of DATA
    assert neo_crypto.verify_signature(DATA, signature, public)
    p256(public).verify(der(signature), digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    checked = await keys.verify(
        key["key_id"],
        VerifyBody(data=digest.hex(), signature=signed["signature"], prehashed=True),
        principal=ALICE,
    )
    assert checked["valid"] is True
    with pytest.raises(InvalidInput) as caught:
        await sign(keys, key["key_id"], data="abcd", prehashed=True)
    assert caught.value.fields[0].rule == "digest_length"


async def test_secp256k1_eip191_recovers_to_the_eip55_address(keys: KeysService) -> None:
    key = await new_key(keys, "secp256k1")
    public = bytes.fromhex(key["public_key"])
    expected = eth_keys.PublicKey.from_compressed_bytes(public).to_checksum_address()
    assert key["evm_address"] == expected and "neo_address" not in key

    signed = await sign(keys, key["key_id"], data=DATA.hex())
    assert signed["scheme"] == "eip191"
    signature = bytes.fromhex(signed["signature"])
    assert len(signature) == 65 and signature[64] in (27, 28)
    recovered = Account.recover_message(encode_defunct(primitive=DATA), signature=signature)
    assert recovered == key["evm_address"]


async def test_secp256k1_keccak_and_sha256_schemes(keys: KeysService) -> None:
    key = await new_key(keys, "secp256k1")
    public = eth_keys.PublicKey.from_compressed_bytes(bytes.fromhex(key["public_key"]))

    signed = await sign(keys, key["key_id"], data=DATA.hex(), scheme="ecdsa-keccak256")
    sig = bytes.fromhex(signed["signature"])
    vrs = (sig[64] - 27, int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"))
    assert eth_keys.Signature(vrs=vrs).recover_public_key_from_msg_hash(keccak(DATA)) == public

    # prehashed keccak: sign a given 32-byte digest (e.g. an EIP-712 hash)
    digest = keccak(b"typed data")
    signed = await sign(
        keys, key["key_id"], data=digest.hex(), scheme="ecdsa-keccak256", prehashed=True
    )
    sig = bytes.fromhex(signed["signature"])
    vrs = (sig[64] - 27, int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"))
    assert eth_keys.Signature(vrs=vrs).recover_public_key_from_msg_hash(digest) == public

    signed = await sign(keys, key["key_id"], data=DATA.hex(), scheme="ecdsa-sha256")
    sig = bytes.fromhex(signed["signature"])
    rs = (int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    assert len(sig) == 64
    # without the recovery id, eth-keys verifies either candidate parity
    assert any(
        eth_keys.Signature(vrs=(v, *rs)).verify_msg_hash(hashlib.sha256(DATA).digest(), public)
        for v in (0, 1)
    )


async def test_ed25519_signature_verifies_with_cryptography(keys: KeysService) -> None:
    key = await new_key(keys, "ed25519")
    assert len(bytes.fromhex(key["public_key"])) == 32
    assert not {"neo_address", "evm_address"} & key.keys()
    signed = await sign(keys, key["key_id"], data=DATA.hex())
    assert signed["scheme"] == "ed25519"
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key["public_key"]))
    public.verify(bytes.fromhex(signed["signature"]), DATA)


async def test_scheme_not_offered_by_the_key_type_is_400(keys: KeysService) -> None:
    key = await new_key(keys, "ed25519")
    with pytest.raises(InvalidInput) as caught:
        await sign(keys, key["key_id"], data="00", scheme="eip191")
    assert caught.value.status == 400
    assert caught.value.fields[0].field == "scheme"
    assert "ed25519 keys allow: ed25519" in caught.value.detail


def gas_transfer(sender: types.UInt160) -> mamba_tx.Transaction:
    script = (
        vm.ScriptBuilder()
        .emit_contract_call_with_args(
            contract.CONTRACT_HASHES.GAS_TOKEN,
            "transfer",
            [sender, types.UInt160(bytes(range(20))), 150_000_000, None],
        )
        .to_array()
    )
    return mamba_tx.Transaction(
        version=0,
        nonce=42,
        system_fee=997_775,
        network_fee=123_652,
        valid_until_block=4_000_000,
        signers=[verification.Signer(sender, verification.WitnessScope.CALLED_BY_ENTRY)],
        script=script,
    )


async def test_neo_n3_transaction_witness_verifies_with_neo_mamba(keys: KeysService) -> None:
    key = await new_key(keys, "secp256r1")
    public = bytes.fromhex(key["public_key"])
    point = neo_crypto.ECPoint.deserialize_from_bytes(public)
    tx = gas_transfer(wallet_utils.public_key_to_script_hash(point))
    with serialization.BinaryWriter() as writer:
        tx.serialize_unsigned(writer)
        unsigned = writer.to_array()

    signed = await sign(
        keys,
        key["key_id"],
        scheme="neo-n3-tx",
        transaction=unsigned.hex(),
        network_magic=TESTNET_MAGIC,
    )
    signature = bytes.fromhex(signed["signature"])
    message = TESTNET_MAGIC.to_bytes(4, "little") + tx.hash().to_array()
    assert neo_crypto.verify_signature(message, signature, public)
    assert signed["invocation_script"] == "0c40" + signature.hex()
    redeem = contract_utils.create_signature_redeemscript(point)
    assert bytes.fromhex(signed["verification_script"]) == redeem
    assert signed["tx_hash"] == "0x" + str(tx.hash())

    decoded = mamba_tx.Transaction.deserialize_from_bytes(bytes.fromhex(signed["raw_transaction"]))
    assert decoded.hash() == tx.hash()
    assert decoded.witnesses[0].invocation_script == bytes.fromhex(signed["invocation_script"])
    assert decoded.witnesses[0].verification_script == redeem


async def test_neo_n3_transaction_needs_the_key_as_signer(keys: KeysService) -> None:
    key = await new_key(keys, "secp256r1")
    tx = gas_transfer(types.UInt160(b"\x07" * 20))
    with serialization.BinaryWriter() as writer:
        tx.serialize_unsigned(writer)
        unsigned = writer.to_array()
    with pytest.raises(Exception) as caught:
        await sign(
            keys, key["key_id"], scheme="neo-n3-tx", transaction=unsigned.hex(), network_magic=1
        )
    assert caught.value.fields[0].field == "transaction.signers"  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput) as missing:
        await sign(keys, key["key_id"], scheme="neo-n3-tx", transaction=unsigned.hex())
    assert missing.value.fields[0].field == "network_magic"


async def test_evm_eip1559_transaction_recovers_to_the_key_address(keys: KeysService) -> None:
    key = await new_key(keys, "secp256k1")
    tx = {
        "chainId": 47763,
        "nonce": 3,
        "maxPriorityFeePerGas": 2_000_000_000,
        "maxFeePerGas": 40_000_000_000,
        "gas": 21_000,
        "to": "0x" + "ab" * 20,
        "value": 10**18,
        "data": "0x",
    }
    signed = await sign(keys, key["key_id"], scheme="evm-eip1559", transaction=tx)
    raw = bytes.fromhex(signed["raw_transaction"][2:])
    assert raw[0] == 2
    assert Account.recover_transaction(raw) == key["evm_address"] == signed["from"]
    assert signed["tx_hash"] == "0x" + keccak(raw).hex()
