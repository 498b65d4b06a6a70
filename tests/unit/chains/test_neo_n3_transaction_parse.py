"""The strict Neo N3 transaction reader: agrees with neo-mamba, refuses malformed bytes."""

from __future__ import annotations

import random

import pytest
from neo3.core import cryptography as neo_crypto
from neo3.core import types
from neo3.network.payloads import transaction as mamba_tx
from neo3.network.payloads import verification as v
from neo_n3_helpers import gas_transfer, new_key, public_bytes, sender_of, unsigned_bytes

from nsl.chains.neo_n3.transaction import parse_unsigned_transaction
from nsl.chains.neo_n3.witness import parse_unsigned_transaction as reexported
from nsl.core.errors import ValidationFailed


def rich_transaction() -> mamba_tx.Transaction:
    """Two signers using every scope, witness rules with every condition, two attributes."""
    key = new_key()
    group = neo_crypto.ECPoint.deserialize_from_bytes(public_bytes(key))
    contract = types.UInt160(bytes(range(1, 21)))
    condition = v.ConditionAnd(
        [
            v.ConditionBool(True),
            v.ConditionNot(v.ConditionCalledByEntry()),
            v.ConditionOr(
                [
                    v.ConditionScriptHash(contract),
                    v.ConditionGroup(group),
                    v.ConditionCalledByContract(contract),
                    v.ConditionCalledByGroup(group),
                ]
            ),
        ]
    )
    tx = gas_transfer(sender_of(key))
    tx.signers.append(
        v.Signer(
            types.UInt160(b"\x02" * 20),
            v.WitnessScope.CUSTOM_CONTRACTS
            | v.WitnessScope.CUSTOM_GROUPS
            | v.WitnessScope.WITNESS_RULES,
            allowed_contracts=[contract],
            allowed_groups=[group],
            rules=[
                v.WitnessRule(v.WitnessRuleAction.ALLOW, condition),
                v.WitnessRule(v.WitnessRuleAction.DENY, v.ConditionBool(False)),
            ],
        )
    )
    tx.signers.append(v.Signer(types.UInt160(b"\x03" * 20), v.WitnessScope.GLOBAL))
    tx.attributes.append(mamba_tx.HighPriorityAttribute())
    tx.attributes.append(mamba_tx.OracleResponse(9, mamba_tx.OracleResponseCode.SUCCESS, b"result"))
    return tx


def test_fields_agree_with_neo_mamba() -> None:
    tx = rich_transaction()
    raw = unsigned_bytes(tx)
    parsed = parse_unsigned_transaction(raw)
    assert reexported is parse_unsigned_transaction
    assert parsed.unsigned == raw
    assert parsed.witness_count == 0
    assert (parsed.version, parsed.nonce) == (tx.version, tx.nonce)
    assert (parsed.system_fee, parsed.network_fee) == (tx.system_fee, tx.network_fee)
    assert parsed.valid_until_block == tx.valid_until_block
    assert parsed.script == tx.script
    assert parsed.hash == tx.hash().to_array()
    assert parsed.hash_hex == tx.to_json()["hash"]
    assert [s.account for s in parsed.signers] == [s.account.to_array() for s in tx.signers]
    assert [s.scopes for s in parsed.signers] == [int(s.scope) for s in tx.signers]
    second = parsed.signers[1]
    assert second.allowed_contracts == (tx.signers[1].allowed_contracts[0].to_array(),)
    assert second.allowed_groups == (tx.signers[1].allowed_groups[0].encode_point(True),)
    assert second.rules == tuple(rule.to_array() for rule in tx.signers[1].rules)
    assert [a.type for a in parsed.attributes] == [a.type_.value for a in tx.attributes]


def refuse(raw: bytes) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        parse_unsigned_transaction(raw)
    issue = caught.value.fields[0]
    assert (issue.field, issue.rule) == ("transaction", "neo_n3_tx")
    return caught.value


def test_random_bytes_are_refused() -> None:
    rng = random.Random(3)
    for size in (0, 1, 10, 30, 64, 200, 1000):
        refuse(rng.randbytes(size))
    refuse(b"\x01" + unsigned_bytes(gas_transfer(sender_of(new_key())))[1:])  # version 1


def test_every_truncation_is_refused() -> None:
    raw = unsigned_bytes(rich_transaction())
    for end in range(len(raw)):
        refuse(raw[:end])


def test_trailing_garbage_is_refused() -> None:
    raw = unsigned_bytes(gas_transfer(sender_of(new_key())))
    refuse(raw + b"\x01")  # one witness announced, none present
    refuse(raw + b"\x00\x00")  # bytes after an empty witness list
    assert parse_unsigned_transaction(raw + b"\x00").witness_count == 0


def header(signers: bytes, rest: bytes) -> bytes:
    return b"\x00" + bytes(4) + (1).to_bytes(8, "little") * 2 + bytes(4) + signers + rest


SENDER = b"\x11" * 20
SCRIPT = b"\x01\x40"  # var-bytes: one byte, RET


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (header(b"\x00", b"\x00" + SCRIPT), "no signers"),
        (header(b"\x02" + SENDER + b"\x01" + SENDER + b"\x01", b"\x00" + SCRIPT), "duplicate"),
        (header(b"\x01" + SENDER + b"\x81", b"\x00" + SCRIPT), "global with another scope"),
        (header(b"\x01" + SENDER + b"\x02", b"\x00" + SCRIPT), "undefined scope bit"),
        (header(b"\x01" + SENDER + b"\x01", b"\x00\x00"), "empty script"),
        (header(b"\x01" + SENDER + b"\x01", b"\x00\xfd\x01\x00\x40"), "non-canonical var-int"),
        (header(b"\x01" + SENDER + b"\x01", b"\x01\x05" + SCRIPT), "unknown attribute"),
        (header(b"\x01" + SENDER + b"\x01", b"\x02\x01\x01" + SCRIPT), "duplicate attribute"),
        (header(b"\x01" + SENDER + b"\x40\x01\x02\x00\x00", b"\x00" + SCRIPT), "rule action"),
        (header(b"\x01" + SENDER + b"\x40\x01\x01\x00\x02", b"\x00" + SCRIPT), "bool value"),
        (header(b"\x01" + SENDER + b"\x40\x01\x01\x02\x00", b"\x00" + SCRIPT), "empty and"),
        (
            header(b"\x01" + SENDER + b"\x40\x01\x01" + b"\x01" * 4 + b"\x20", b"\x00" + SCRIPT),
            "nested too deeply",
        ),
        (
            header(b"\x01" + SENDER + b"\x20\x01\x02" + b"\xff" * 32, b"\x00" + SCRIPT),
            "group key off the curve",
        ),
    ],
)
def test_malformed_structures_are_refused(raw: bytes, why: str) -> None:
    refuse(raw)


def test_minimal_hand_built_transaction_is_accepted() -> None:
    raw = header(b"\x01" + SENDER + b"\x01", b"\x00" + SCRIPT)
    parsed = parse_unsigned_transaction(raw)
    assert parsed.sender == SENDER
    assert parsed.script == b"\x40"
    # mamba reads it too (with one empty witness, as its reader requires one per signer)
    decoded = mamba_tx.Transaction.deserialize_from_bytes(raw + b"\x01\x00\x00")
    assert decoded.hash().to_array() == parsed.hash


def test_oversized_input_is_refused() -> None:
    refuse(b"\x00" * 102_401)
