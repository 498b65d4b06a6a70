"""Neo N3 witnesses: the signed message, scripts and full transaction, checked with neo-mamba."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from neo3.core import cryptography as neo_crypto
from neo3.network.payloads import transaction as mamba_tx
from neo3.wallet import account as mamba_account
from neo3.wallet.scrypt_parameters import ScryptParameters
from neo_n3_helpers import (
    MAINNET,
    TESTNET,
    gas_transfer,
    new_key,
    private_bytes,
    public_bytes,
    sender_of,
    sign_rs,
    unsigned_bytes,
)

from nsl.chains.neo_n3 import accounts, witness
from nsl.core.errors import ValidationFailed


@pytest.mark.parametrize("magic", [TESTNET, MAINNET])
def test_signing_data_is_the_rule_mamba_signs(magic: int) -> None:
    key = new_key()
    tx = gas_transfer(sender_of(key))
    unsigned = unsigned_bytes(tx)
    data = witness.signing_data(unsigned, magic)
    # Account.sign_tx signs magic (uint32 LE) || tx.hash(); tx.hash() is SHA-256(unsigned)
    assert data == magic.to_bytes(4, "little") + tx.hash().to_array()
    # mamba's get_hash_data is magic || the unsigned bytes themselves; the witness covers their hash
    hash_data = tx.get_hash_data(magic)
    assert data == hash_data[:4] + hashlib.sha256(hash_data[4:]).digest()


@pytest.mark.parametrize("magic", [TESTNET, MAINNET])
def test_witness_verifies_with_neo_mamba_and_attaches(magic: int) -> None:
    key = new_key()
    public = public_bytes(key)
    tx = gas_transfer(sender_of(key))
    unsigned = unsigned_bytes(tx)
    parsed = witness.parse_unsigned_transaction(unsigned)
    assert parsed.sender == sender_of(key).to_array() == accounts.script_hash(public)

    signature = sign_rs(key, witness.signing_data(unsigned, magic))
    made = witness.witness(signature, public)
    assert made.invocation == b"\x0c\x40" + signature
    assert made.verification == accounts.verification_script(public)

    assert neo_crypto.verify_signature(witness.signing_data(unsigned, magic), signature, public)
    other = TESTNET if magic == MAINNET else MAINNET
    assert not neo_crypto.verify_signature(witness.signing_data(unsigned, other), signature, public)

    raw = witness.signed_transaction(unsigned, [made])
    decoded = mamba_tx.Transaction.deserialize_from_bytes(raw)
    assert decoded.hash() == tx.hash()
    assert decoded.witnesses[0].invocation_script == made.invocation
    assert decoded.witnesses[0].verification_script == made.verification
    # the parser accepts the signed form too and still hashes only the unsigned part
    reparsed = witness.parse_unsigned_transaction(raw)
    assert reparsed.unsigned == unsigned
    assert reparsed.witness_count == 1


def test_scripts_match_what_mamba_account_signing_builds() -> None:
    key = new_key()
    public = public_bytes(key)
    tx = gas_transfer(sender_of(key))
    unsigned = unsigned_bytes(tx)
    # mamba's own signing path (NEP-2 with tiny scrypt parameters keeps it fast)
    signer = mamba_account.Account(
        "pw", private_bytes(key), scrypt_parameters=ScryptParameters(n=2, r=1, p=1)
    )
    signer.sign_tx(tx, "pw", TESTNET)
    theirs = tx.witnesses[0]
    ours = witness.witness(sign_rs(key, witness.signing_data(unsigned, TESTNET)), public)

    assert theirs.verification_script == ours.verification
    assert theirs.invocation_script[:2] == ours.invocation[:2] == b"\x0c\x40"
    assert len(theirs.invocation_script) == len(ours.invocation) == 66
    # mamba's signature is valid for our signing data under an independent verifier
    r_s = theirs.invocation_script[2:]
    der = encode_dss_signature(int.from_bytes(r_s[:32], "big"), int.from_bytes(r_s[32:], "big"))
    key.public_key().verify(der, witness.signing_data(unsigned, TESTNET), ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        key.public_key().verify(
            der, witness.signing_data(unsigned, MAINNET), ec.ECDSA(hashes.SHA256())
        )
    # fed mamba's signature, our witness is byte-for-byte the one mamba attached
    rebuilt = witness.witness(r_s, public)
    assert rebuilt.to_bytes() == theirs.to_array()
    assert rebuilt.to_json() == theirs.to_json()


async def test_sign_transaction_with_a_caller_supplied_signer() -> None:
    key = new_key()
    public = public_bytes(key)
    tx = gas_transfer(sender_of(key))
    parsed = witness.parse_unsigned_transaction(unsigned_bytes(tx))
    seen: list[bytes] = []

    async def sign(message: bytes) -> bytes:
        seen.append(message)
        return sign_rs(key, message)

    made = await witness.sign_transaction(parsed, MAINNET, public, sign)
    assert seen == [witness.signing_data(parsed.unsigned, MAINNET)]
    assert neo_crypto.verify_signature(seen[0], made.invocation[2:], public)

    stranger = public_bytes(new_key())
    with pytest.raises(ValidationFailed) as caught:
        await witness.sign_transaction(parsed, MAINNET, stranger, sign)
    assert caught.value.fields[0].field == "transaction.signers"
    assert len(seen) == 1


@pytest.mark.parametrize("magic", [-1, 2**32, True, "894710606"])
def test_bad_network_magic(magic: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        witness.signing_data(b"\x00", magic)
    assert caught.value.fields[0].field == "network_magic"


@pytest.mark.parametrize("signature", [b"", bytes(63), bytes(65)])
def test_bad_signature_length(signature: bytes) -> None:
    with pytest.raises(ValidationFailed) as caught:
        witness.invocation_script(signature)
    assert caught.value.fields[0].field == "signature"
