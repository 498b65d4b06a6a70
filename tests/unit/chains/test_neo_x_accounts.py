"""Neo X addresses (EIP-55) and EIP-191 personal messages, checked with eth-account."""

from __future__ import annotations

import coincurve
import pytest
from eth_account import Account
from eth_account.messages import defunct_hash_message, encode_defunct
from eth_utils import to_checksum_address

from nsl.chains.neo_x import accounts, eip191
from nsl.chains.neo_x.hashing import keccak256
from nsl.core.errors import ValidationFailed

KEYS = [coincurve.PrivateKey() for _ in range(8)]

# the examples in EIP-55 itself
EIP55 = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


def test_keccak_is_not_sha3() -> None:
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )


@pytest.mark.parametrize("key", KEYS)
def test_address_matches_eth_account(key: coincurve.PrivateKey) -> None:
    expected = Account.from_key(key.secret).address
    assert accounts.evm_address(key.public_key.format(compressed=True)) == expected
    assert accounts.evm_address(key.public_key.format(compressed=False)) == expected


@pytest.mark.parametrize("address", EIP55)
def test_eip55_examples(address: str) -> None:
    assert accounts.to_checksum(address.lower()) == address
    assert accounts.to_checksum(address[2:].upper()) == address
    assert accounts.to_checksum(address) == to_checksum_address(address.lower())
    assert accounts.parse_address(address) == bytes.fromhex(address[2:])


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "eip55_checksum"),
        ("0x1234", "evm_address"),
        ("0xzz" + "0" * 38, "evm_address"),
        (1234, "evm_address"),
    ],
)
def test_bad_addresses(text: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        accounts.parse_address(text, "to")
    assert (caught.value.fields[0].field, caught.value.fields[0].rule) == ("to", rule)


@pytest.mark.parametrize("key", [b"", b"\x02" + b"\xff" * 32, b"\x04" + b"\x01" * 64, bytes(64)])
def test_bad_public_key(key: bytes) -> None:
    with pytest.raises(ValidationFailed) as caught:
        accounts.evm_address(key)
    assert caught.value.fields[0].field == "public_key"


@pytest.mark.parametrize("message", [b"", b"hello", "Neo X ✓".encode(), bytes(range(256)) * 3])
def test_personal_message_recovers_with_eth_account(message: bytes) -> None:
    key = coincurve.PrivateKey()
    digest = eip191.personal_message_digest(message)
    assert digest == bytes(defunct_hash_message(primitive=message))
    recoverable = key.sign_recoverable(digest, hasher=None)  # r || s || recovery id, low s
    signature = eip191.ethereum_signature(recoverable)
    assert signature[64] in (27, 28)
    address = Account.from_key(key.secret).address
    assert (
        Account.recover_message(encode_defunct(primitive=message), signature=signature) == address
    )
    # eth-account's own signature over the same message is byte-identical (both RFC 6979)
    assert bytes(Account.sign_message(encode_defunct(primitive=message), key.secret).signature) == (
        signature
    )


def test_bad_recoverable_signature() -> None:
    with pytest.raises(ValidationFailed) as caught:
        eip191.ethereum_signature(bytes(64))
    assert caught.value.fields[0].field == "signature"
    with pytest.raises(ValidationFailed) as caught:
        eip191.ethereum_signature(b"\x01" * 64 + b"\x02")
    assert caught.value.fields[0].rule == "y_parity"
