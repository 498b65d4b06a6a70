"""EIP-1559 transactions: signing hash, signed bytes and recovery, checked with eth-account."""

from __future__ import annotations

from typing import Any

import coincurve
import pytest
from eth_account import Account
from eth_account.typed_transactions import TypedTransaction
from eth_keys import KeyAPI
from eth_keys.backends import NativeECCBackend

from nsl.chains.neo_x import eip1559
from nsl.chains.neo_x.signature import SECP256K1_N, split_recoverable
from nsl.core.errors import ValidationFailed

NEO_X_TESTNET = 12227332
NEO_X_MAINNET = 47763

TRANSACTIONS: list[dict[str, Any]] = [
    {  # plain transfer
        "type": 2,
        "chainId": NEO_X_MAINNET,
        "nonce": 0,
        "maxPriorityFeePerGas": 20_000_000_000,
        "maxFeePerGas": 40_000_000_000,
        "gas": 21000,
        "to": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "value": 10**18,
        "data": "0x",
    },
    {  # contract call with an access list, hex quantities
        "type": "0x2",
        "chainId": hex(NEO_X_TESTNET),
        "nonce": "0x2a",
        "maxPriorityFeePerGas": "0x3b9aca00",
        "maxFeePerGas": "0x77359400",
        "gas": "0x186a0",
        "to": "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "value": "0x0",
        "data": "0xa9059cbb" + "00" * 31 + "01" + "00" * 31 + "ff",
        "accessList": [
            {
                "address": "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
                "storageKeys": ["0x" + "00" * 31 + "01", "0x" + "ab" * 32],
            },
            {"address": "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", "storageKeys": []},
        ],
    },
    {  # contract creation: no recipient
        "type": 2,
        "chainId": NEO_X_TESTNET,
        "nonce": 2**32,
        "maxPriorityFeePerGas": 0,
        "maxFeePerGas": 2**255,
        "gas": 3_000_000,
        "value": 0,
        "data": "0x6080604052348015600f57600080fd5b50",
    },
]


def sign_digest(key: coincurve.PrivateKey, digest: bytes) -> bytes:
    """What the enclave returns for ECDSA_RECOVERABLE: r || s || recovery id with low s."""
    recoverable = key.sign_recoverable(digest, hasher=None)
    s = int.from_bytes(recoverable[32:64], "big")
    if s > SECP256K1_N // 2:  # libsecp256k1 already signs low-s; normalise defensively
        s = SECP256K1_N - s
        recoverable = recoverable[:32] + s.to_bytes(32, "big") + bytes([recoverable[64] ^ 1])
    return recoverable


@pytest.mark.parametrize("fields", TRANSACTIONS)
def test_signed_bytes_match_eth_account(fields: dict[str, Any]) -> None:
    key = coincurve.PrivateKey()
    address = Account.from_key(key.secret).address
    tx = eip1559.from_json(fields)

    digest = eip1559.signing_hash(tx)
    assert digest == bytes(TypedTransaction.from_dict(fields).hash())
    parts = split_recoverable(sign_digest(key, digest))
    raw = eip1559.encode_signed(tx, parts.y_parity, parts.r, parts.s)

    assert raw[0] == 0x02
    assert Account.recover_transaction(raw) == address
    theirs = Account.sign_transaction(fields, key.secret)
    assert bytes(theirs.raw_transaction) == raw
    assert bytes(theirs.hash) == eip1559.transaction_hash(raw)
    # an independent pure-Python recovery of the signer
    native = KeyAPI(NativeECCBackend)
    signature = native.Signature(vrs=(parts.y_parity, parts.r, parts.s))
    assert native.ecdsa_recover(digest, signature).to_checksum_address() == address

    assert eip1559.decode_signed(raw) == (tx, parts.y_parity, parts.r, parts.s)
    assert eip1559.decode_unsigned(eip1559.unsigned_payload(tx)) == tx


async def test_sign_transaction_with_a_caller_supplied_signer() -> None:
    key = coincurve.PrivateKey()
    tx = eip1559.from_json(TRANSACTIONS[0])

    async def sign(digest: bytes) -> bytes:
        assert digest == eip1559.signing_hash(tx)
        return sign_digest(key, digest)

    raw = await eip1559.sign_transaction(tx, sign)
    assert Account.recover_transaction(raw) == Account.from_key(key.secret).address


def test_input_alias_and_defaults() -> None:
    base = {k: v for k, v in TRANSACTIONS[0].items() if k not in ("data", "value", "type")}
    tx = eip1559.from_json({**base, "input": "0xdeadbeef"})
    assert tx.data == bytes.fromhex("deadbeef")
    assert tx.value == 0
    assert tx.access_list == ()
    assert eip1559.from_json({**base, "to": None}).to is None


def bad(**changes: Any) -> dict[str, Any]:
    fields = dict(TRANSACTIONS[1])
    for key, value in changes.items():
        if value is ...:
            fields.pop(key)
        else:
            fields[key] = value
    return fields


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        (bad(nonce=-1), "transaction.nonce", "range"),
        (bad(nonce=2**64 - 1), "transaction.nonce", "range"),
        (bad(nonce=True), "transaction.nonce", "integer"),
        (bad(nonce="0x"), "transaction.nonce", "integer"),
        (bad(chainId=...), "transaction.chainId", "required"),
        (bad(chainId=0), "transaction.chainId", "range"),
        (bad(gas=2**64), "transaction.gas", "range"),
        (bad(value=2**256), "transaction.value", "range"),
        (bad(value="-5"), "transaction.value", "integer"),
        (bad(value="9" * 5000), "transaction.value", "range"),
        (bad(value="0x" + "f" * 65), "transaction.value", "range"),
        (bad(maxFeePerGas="0xzz"), "transaction.maxFeePerGas", "integer"),
        (
            bad(maxPriorityFeePerGas="0x77359401"),
            "transaction.maxPriorityFeePerGas",
            "not_above_max_fee",
        ),
        (bad(to="0x1234"), "transaction.to", "evm_address"),
        (bad(to="0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d35A"), "transaction.to", "eip55_checksum"),
        (bad(data="0x123"), "transaction.data", "hex_bytes"),
        (bad(data="abcd"), "transaction.data", "hex_bytes"),
        (bad(data="0x" + "00" * (128 * 1024 + 1)), "transaction.data", "max_length"),
        (bad(input="0x01"), "transaction.input", "conflict"),
        (bad(type=1), "transaction.type", "eip1559"),
        (bad(gasPrice=1), "transaction.gasPrice", "unknown_field"),
        (bad(accessList="x"), "transaction.accessList", "array"),
        (bad(accessList=[{"address": "0x00"}]), "transaction.accessList[0].address", "evm_address"),
        (
            bad(accessList=[{"address": "0x" + "00" * 20, "storageKeys": ["0x01"]}]),
            "transaction.accessList[0].storageKeys[0]",
            "length",
        ),
        (
            bad(accessList=[{"address": "0x" + "00" * 20, "slots": []}]),
            "transaction.accessList[0]",
            "object",
        ),
    ],
)
def test_bad_fields_are_named(fields: dict[str, Any], field: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        eip1559.from_json(fields)
    issue = caught.value.fields[0]
    assert (issue.field, issue.rule) == (field, rule)


def test_signature_values_are_checked() -> None:
    tx = eip1559.from_json(TRANSACTIONS[0])
    with pytest.raises(ValidationFailed) as caught:
        eip1559.encode_signed(tx, 0, 1, SECP256K1_N - 1)  # high s
    assert caught.value.fields[0].rule == "low_s"
    with pytest.raises(ValidationFailed) as caught:
        eip1559.encode_signed(tx, 2, 1, 1)
    assert caught.value.fields[0].rule == "y_parity"
    with pytest.raises(ValidationFailed) as caught:
        eip1559.encode_signed(tx, 0, 0, 1)
    assert caught.value.fields[0].rule == "range"


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x01\xc0", b"\x02\xc0", b"\x02" + bytes.fromhex("c3010203"), b"\x02\x83abc"],
)
def test_malformed_raw_transactions_are_refused(raw: bytes) -> None:
    with pytest.raises(ValidationFailed):
        eip1559.decode_signed(raw)
    with pytest.raises(ValidationFailed):
        eip1559.decode_unsigned(raw)
