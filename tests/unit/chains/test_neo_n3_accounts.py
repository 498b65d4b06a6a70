"""Neo N3 verification script, script hash and address, checked against neo-mamba 2.7.0."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from neo3.contracts import utils as contract_utils
from neo3.core import cryptography as neo_crypto
from neo3.core import types
from neo3.core import utils as core_utils
from neo3.wallet import utils as wallet_utils
from neo_n3_helpers import new_key, private_bytes, public_bytes

from nsl.chains.neo_n3 import accounts
from nsl.core.errors import ValidationFailed

KEYS = [new_key() for _ in range(8)]


@pytest.mark.parametrize("key", KEYS)
def test_account_matches_neo_mamba(key: ec.EllipticCurvePrivateKey) -> None:
    public = public_bytes(key)
    mamba_key = neo_crypto.KeyPair(private_bytes(key))
    assert mamba_key.public_key.encode_point(True) == public

    mamba_script = contract_utils.create_signature_redeemscript(mamba_key.public_key)
    mamba_hash = wallet_utils.public_key_to_script_hash(mamba_key.public_key)

    assert accounts.verification_script(public) == mamba_script
    assert accounts.script_hash(public) == mamba_hash.to_array()
    assert accounts.script_hash(public) == core_utils.to_script_hash(mamba_script).to_array()
    assert accounts.script_hash_hex(public) == "0x" + str(mamba_hash)
    assert accounts.address(public) == wallet_utils.script_hash_to_address(mamba_hash)
    assert wallet_utils.is_valid_address(accounts.address(public))
    assert accounts.address_to_script_hash(accounts.address(public)) == mamba_hash.to_array()
    # the uncompressed point names the same account
    uncompressed = public_bytes(key, compressed=False)
    assert accounts.address(uncompressed) == accounts.address(public)


def test_verification_script_layout() -> None:
    public = public_bytes(KEYS[0])
    script = accounts.verification_script(public)
    assert script == bytes.fromhex("0c21") + public + bytes.fromhex("4156e7b327")
    assert len(script) == accounts.VERIFICATION_SCRIPT_LENGTH


def test_other_address_version_matches_mamba() -> None:
    public = public_bytes(KEYS[1])
    mamba_hash = types.UInt160(accounts.script_hash(public))
    assert accounts.address(public, version=0x17) == wallet_utils.script_hash_to_address(
        mamba_hash, address_version=0x17
    )
    with pytest.raises(ValidationFailed) as caught:
        accounts.address_to_script_hash(accounts.address(public, version=0x17))
    assert caught.value.fields[0].field == "address"


@pytest.mark.parametrize(
    "key",
    [
        b"",
        bytes(32),
        b"\x02" + b"\xff" * 32,  # x beyond the field prime
        b"\x05" + bytes(range(32)),  # bad prefix
        b"\x04" + b"\x01" * 64,  # not on the curve
    ],
)
def test_bad_public_keys_name_the_field(key: bytes) -> None:
    with pytest.raises(ValidationFailed) as caught:
        accounts.address(key)
    assert caught.value.fields[0].field == "public_key"
    assert caught.value.fields[0].rule == "p256_point"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("NVWRHuHRpod1iyKfL6mh99z7hSAPpQkVf0", "base58"),  # '0' is not base58
        ("NVWRHuHRpod1iyKfL6mh99z7hSAPpQkVfN", "base58check"),  # checksum broken
        ("1", "base58check"),
    ],
)
def test_bad_addresses(text: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        accounts.address_to_script_hash(text, field="to")
    assert caught.value.fields[0].field == "to"
    assert caught.value.fields[0].rule == rule
