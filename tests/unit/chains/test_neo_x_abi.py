"""Neo X ABI handling without a node: shape checks, argument conversion, reverts, raw logs.

Encodings are checked against eth_abi/eth_utils directly (independent of our conversion).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak

from nsl.chains.neo_x.abi import function, validate_abi
from nsl.chains.neo_x.abi_values import decode_values, encode_args
from nsl.chains.neo_x.logs import EventIndex, to_event
from nsl.chains.neo_x.reverts import revert_reason
from nsl.core.errors import ValidationFailed

ABI: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[2] / "fixtures/neo_x/Probe.json").read_text()
)["abi"]
BAD_EIP55 = "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # one letter's case flipped
CUSTOM_ERROR = {
    "type": "error",
    "name": "TooLow",
    "inputs": [{"name": "have", "type": "uint256"}, {"name": "want", "type": "uint256"}],
}


def field_of(error: pytest.ExceptionInfo[ValidationFailed]) -> tuple[str, str]:
    return error.value.fields[0].field, error.value.fields[0].rule


@pytest.mark.parametrize(
    ("abi", "where"),
    [
        ({"type": "function"}, ("abi", "abi")),
        ([{"type": "method", "name": "f"}], ("abi[0].type", "abi_kind")),
        ([{"type": "function", "name": "1f"}], ("abi[0].name", "abi_name")),
        (
            [{"type": "function", "name": "f", "inputs": [{"type": "uint7"}]}],
            ("abi[0].inputs[0].type", "abi_type"),
        ),
        (
            [{"type": "event", "name": "E", "inputs": [{"type": "tuple"}]}],
            ("abi[0].inputs[0].components", "abi_tuple"),
        ),
        (
            [{"type": "function", "name": "f", "outputs": "uint256"}],
            ("abi[0].outputs", "abi_params"),
        ),
    ],
)
def test_malformed_abis_are_refused_naming_the_place(abi: Any, where: tuple[str, str]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        validate_abi(abi)
    assert field_of(refused) == where


def test_tuple_types_are_canonical_in_selectors() -> None:
    abi = [
        {
            "type": "function",
            "name": "put",
            "inputs": [
                {
                    "name": "p",
                    "type": "tuple[]",
                    "components": [{"name": "a", "type": "uint256"}, {"name": "b", "type": "bool"}],
                }
            ],
        }
    ]
    put = function(validate_abi(abi), "put", 1)
    assert put.signature == "put((uint256,bool)[])"
    assert put.selector == keccak(b"put((uint256,bool)[])")[:4]
    assert encode_args(put.input_types, [[["1", True], [2, False]]]) == encode(
        ["(uint256,bool)[]"], [[(1, True), (2, False)]]
    )


def test_arguments_convert_from_json_and_match_eth_abi() -> None:
    store = function(ABI, "store", 3)
    assert encode_args(store.input_types, ["0x10", "99", "note"]) == encode(
        ["uint256", "uint256", "string"], [16, 99, "note"]
    )


@pytest.mark.parametrize(
    ("method", "args", "where"),
    [
        ("store", [-1, 1, "x"], ("args[0]", "range")),
        ("store", [2**256, 1, "x"], ("args[0]", "range")),
        ("store", ["1.5", 1, "x"], ("args[0]", "integer")),
        ("store", [True, 1, "x"], ("args[0]", "integer")),
        ("store", [1, 1, 5], ("args[2]", "string")),
        ("mixed", [1, "0xab", True, "0x", "0x" + "00" * 20], ("args[1]", "length")),
        ("mixed", [1, "0x" + "ab" * 32, "yes", "0x", "0x" + "00" * 20], ("args[2]", "boolean")),
        ("mixed", [1, "0x" + "ab" * 32, True, "0xzz", "0x" + "00" * 20], ("args[3]", "hex_bytes")),
        ("mixed", [1, "0x" + "ab" * 32, True, "0x", BAD_EIP55], ("args[4]", "eip55_checksum")),
        ("store", [1, 2], ("args", "arity")),
        ("nothing", [], ("method", "abi_function")),
    ],
)
def test_bad_arguments_are_refused_naming_the_argument(
    method: str, args: list[Any], where: tuple[str, str]
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        fn = function(ABI, method, len(args))
        encode_args(fn.input_types, args)
    assert field_of(refused) == where


def test_results_decode_to_json_values() -> None:
    data = encode(["int256", "bytes", "address[]"], [-(2**200), b"\xff\x00", [b"\x11" * 20]])
    items = decode_values(["int256", "bytes", "address[]"], data)
    assert [i.value for i in items] == [str(-(2**200)), "0xff00", ["0x" + "11" * 20]]
    assert items[1].text is None


def test_revert_payloads_become_reasons() -> None:
    error_string = keccak(b"Error(string)")[:4] + encode(["string"], ["nope"])
    panic = keccak(b"Panic(uint256)")[:4] + encode(["uint256"], [0x11])
    custom = keccak(b"TooLow(uint256,uint256)")[:4] + encode(["uint256", "uint256"], [1, 5])
    assert revert_reason(error_string) == "nope"
    assert revert_reason(panic) == "panic 0x11: arithmetic overflow or underflow"
    assert revert_reason(custom, validate_abi([CUSTOM_ERROR])) == 'TooLow("1", "5")'
    assert revert_reason(custom) == "0x" + custom.hex()
    assert revert_reason(b"") is None


def test_a_log_no_abi_event_fits_stays_raw() -> None:
    topic = "0x" + keccak(b"Stored(address,uint256,uint256,string)").hex()
    log = {
        "address": "0x" + "ab" * 20,
        "topics": [topic],  # Stored has two indexed arguments: this log cannot be one
        "data": "0x",
        "blockNumber": "0x5",
        "logIndex": "0x2",
        "transactionHash": "0x" + "01" * 32,
        "blockHash": "0x" + "02" * 32,
    }
    event = to_event(log, EventIndex(ABI))
    assert (event.name, event.args, event.index, event.block_number) == (
        topic,
        {"topics": [topic], "data": "0x"},
        2,
        5,
    )
    with pytest.raises(ValidationFailed) as unknown:
        EventIndex(ABI).topics_for(["Stored", "Missing"])
    assert field_of(unknown) == ("names[1]", "abi_event")
