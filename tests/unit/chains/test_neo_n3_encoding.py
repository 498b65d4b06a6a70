"""Neo N3 encodings without a node: call arguments, stack items, NEF files, transaction drafts
(each checked against neo-mamba's own reading of the same bytes)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from neo3 import vm
from neo3.contracts.nef import NEF
from neo3.core import types
from neo3.core.cryptography import ECPoint
from neo3.network.payloads.transaction import Transaction
from neo3.wallet import utils as wallet_utils

from nsl.chains.endpoints import EndpointFailure
from nsl.chains.neo_n3 import nef, params, stack
from nsl.chains.neo_n3.accounts import verification_script
from nsl.chains.neo_n3.transaction import parse_unsigned_transaction
from nsl.chains.neo_n3.txbuild import Draft
from nsl.core.errors import ValidationFailed

PROBE_NEF = (Path(__file__).resolve().parents[2] / "fixtures/neo_n3/probe.nef").read_bytes()
CONTRACT = types.UInt160(bytes(range(20)))
KEY = bytes.fromhex("02a24017042669c57db9f9728ea20a541330b5f5bff859db57259c437c56c7ee42")


def mamba_script(values: list[Any]) -> bytes:
    builder = vm.ScriptBuilder()  # type: ignore[no-untyped-call]
    return builder.emit_contract_call_with_args(CONTRACT, "m", values).to_array()


def test_plain_and_typed_arguments_push_what_neo_mamba_pushes() -> None:
    account = types.UInt160(bytes(range(1, 21)))
    address = wallet_utils.script_hash_to_address(account)
    args = [
        1,
        "text",
        True,
        None,
        [2, "x"],
        {"type": "Hash160", "value": "0x" + account.to_array()[::-1].hex()},
        {"type": "Hash160", "value": address},
        {"type": "ByteArray", "value": "0xdead"},
        {"type": "Integer", "value": str(2**200)},
    ]
    expected = [1, "text", True, None, [2, "x"], account, account, b"\xde\xad", 2**200]
    assert params.call_script(CONTRACT, "m", args) == mamba_script(expected)


@pytest.mark.parametrize(
    ("arg", "field", "rule"),
    [
        (1.5, "args[0]", "integer"),
        ({"type": "Hash160", "value": "0x1234"}, "args[0].value", "length"),
        ({"type": "ByteArray", "value": "zz"}, "args[0].value", "hex"),
        ({"type": "Nope", "value": 1}, "args[0].type", "neo_parameter_type"),
        ({"type": "Integer", "value": str(2**256)}, "args[0].value", "integer"),
        ({"type": "PublicKey", "value": "05" + "11" * 32}, "args[0].value", "p256_point"),
        ({"type": "Map", "value": [{"key": [1], "value": 2}]}, "args[0].value[0].key", "map_key"),
        ([[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]], "args[0]" + "[0]" * 16, "max_depth"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(arg: Any, field: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        params.call_script(CONTRACT, "m", [arg])
    assert (refused.value.fields[0].field, refused.value.fields[0].rule) == (field, rule)


def test_reserved_method_names_are_refused() -> None:
    for method in ("", "_deploy", "x" * 33):
        with pytest.raises(ValidationFailed):
            params.call_script(CONTRACT, method, [])


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_stack_items_become_json_with_text_for_printable_bytes() -> None:
    raw = [
        {"type": "ByteString", "value": b64(b"hello")},
        {"type": "ByteString", "value": b64(b"\x00\xff")},
        {"type": "Integer", "value": "-7"},
        {
            "type": "Map",
            "value": [
                {"key": {"type": "ByteString", "value": b64(b"k")}, "value": {"type": "Any"}}
            ],
        },
        {"type": "InteropInterface", "iterator": [{"type": "Boolean", "value": True}]},
    ]
    items = [item.to_json() for item in stack.stack(raw)]
    assert items[0] == {"type": "ByteString", "value": "68656c6c6f", "text": "hello"}
    assert items[1] == {"type": "ByteString", "value": "00ff"}
    assert items[2] == {"type": "Integer", "value": "-7"}
    assert items[3]["value"] == [
        {
            "key": {"type": "ByteString", "value": "6b", "text": "k"},
            "value": {"type": "Any", "value": None},
        }
    ]
    assert items[4]["value"] == {
        "iterator": [{"type": "Boolean", "value": True}],
        "truncated": False,
    }
    with pytest.raises(EndpointFailure):
        stack.stack([{"type": "ByteString", "value": "***"}])
    with pytest.raises(EndpointFailure):
        stack.stack([{"value": 1}])


def test_event_values_follow_the_declared_type() -> None:
    hash_bytes = bytes(range(20))
    item = {"type": "ByteString", "value": b64(hash_bytes)}
    assert stack.plain_value(item, "Hash160") == "0x" + hash_bytes[::-1].hex()
    assert stack.plain_value(item, "ByteArray") == hash_bytes.hex()
    assert stack.plain_value({"type": "ByteString", "value": b64(b"hi")}, "String") == "hi"
    assert stack.plain_value({"type": "Integer", "value": "12"}, "Integer") == "12"
    assert stack.plain_value({"type": "Any"}, "Hash160") is None


def test_nef_is_read_like_neo_mamba_reads_it_and_tampering_is_refused() -> None:
    info = nef.parse_nef(PROBE_NEF)
    mamba = NEF.deserialize_from_bytes(PROBE_NEF)
    assert (info.checksum, info.script, info.compiler) == (
        mamba.checksum,
        mamba.script,
        mamba.compiler,
    )
    for broken, words in [
        (PROBE_NEF + b"\x00", "trailing"),
        (PROBE_NEF[:-4] + b"\x00\x00\x00\x00", "checksum"),
        (b"", "malformed"),
        (b"XEF3" + PROBE_NEF[4:], "magic"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            nef.parse_nef(broken)
        assert refused.value.fields[0].field == "nef"
        assert words in refused.value.detail


def test_a_draft_serialises_to_what_neo_mamba_and_our_parser_read() -> None:
    verification = verification_script(KEY)
    draft = Draft(
        script=b"\x11\x40",
        sender=wallet_utils.public_key_to_script_hash(
            ECPoint.deserialize_from_bytes(KEY)
        ).to_array(),
        verification=verification,
        nonce=0xDEADBEEF,
        system_fee=123,
        network_fee=456,
        valid_until_block=789,
    )
    raw = draft.with_witness(bytes(range(64)))
    ours = parse_unsigned_transaction(raw)
    theirs = Transaction.deserialize_from_bytes(raw)
    assert ours.unsigned == draft.unsigned()
    assert ours.hash_hex == "0x" + str(theirs.hash())
    assert (theirs.nonce, theirs.system_fee, theirs.network_fee) == (0xDEADBEEF, 123, 456)
    assert theirs.valid_until_block == 789
    assert theirs.witnesses[0].verification_script == verification
    assert theirs.witnesses[0].invocation_script == b"\x0c\x40" + bytes(range(64))
