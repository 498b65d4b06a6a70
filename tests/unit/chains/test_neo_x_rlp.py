"""RLP: the Ethereum wiki examples, agreement with pyrlp, and strict canonical decoding."""

from __future__ import annotations

import random
from typing import Any

import pytest
import rlp as pyrlp

from nsl.chains.neo_x import rlp
from nsl.core.errors import ValidationFailed

LOREM = b"Lorem ipsum dolor sit amet, consectetur adipisicing elit"

# https://ethereum.org/en/developers/docs/data-structures-and-encoding/rlp/ examples
WIKI: list[tuple[Any, str]] = [
    (b"dog", "83646f67"),
    ([b"cat", b"dog"], "c88363617483646f67"),
    (b"", "80"),
    ([], "c0"),
    (0, "80"),
    (b"\x00", "00"),
    (b"\x0f", "0f"),
    (15, "0f"),
    (1024, "820400"),
    ([[], [[]], [[], [[]]]], "c7c0c1c0c3c0c1c0"),
    (LOREM, "b838" + LOREM.hex()),
]


@pytest.mark.parametrize(("item", "expected"), WIKI)
def test_wiki_examples(item: Any, expected: str) -> None:
    assert rlp.encode(item).hex() == expected
    decoded = rlp.decode(bytes.fromhex(expected))
    assert rlp.encode(decoded) == bytes.fromhex(expected)


def random_item(rng: random.Random, depth: int = 0) -> Any:
    if depth < 3 and rng.random() < 0.4:
        return [random_item(rng, depth + 1) for _ in range(rng.randrange(0, 6))]
    return rng.randbytes(rng.choice([0, 1, 1, 2, 55, 56, 200, 70_000]))


def test_agrees_with_pyrlp_and_round_trips() -> None:
    rng = random.Random(1559)
    for _ in range(200):
        item = random_item(rng)
        encoded = rlp.encode(item)
        assert encoded == pyrlp.encode(item)
        assert rlp.decode(encoded) == item
    for value in (0, 1, 127, 128, 255, 256, 2**64, 2**256 - 1):
        assert rlp.encode(value) == pyrlp.encode(value)
        assert rlp.decode_uint(rlp.decode(rlp.encode(value)), "v") == value


@pytest.mark.parametrize(
    "hex_data",
    [
        "",  # empty
        "8100",  # single byte below 0x80 wrapped in a prefix
        "817f",
        "b800",  # long form for a short string
        "b90000",  # length with a leading zero
        "b8",  # length missing
        "83646f",  # truncated string
        "c1",  # truncated list
        "c1826364",  # list element runs past its list
        "8000",  # trailing bytes
        "f800",  # long-form list for a short length
        "c1" * 100 + "80",  # nested far too deep
    ],
)
def test_malformed_is_refused(hex_data: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        rlp.decode(bytes.fromhex(hex_data), "payload")
    assert (caught.value.fields[0].field, caught.value.fields[0].rule) == ("payload", "rlp")


def test_integers_must_be_canonical() -> None:
    with pytest.raises(ValidationFailed):
        rlp.decode_uint(b"\x00\x01", "nonce")
    with pytest.raises(ValidationFailed):
        rlp.decode_uint([b""], "nonce")
    with pytest.raises(ValidationFailed):
        rlp.decode_uint(b"\x01" * 9, "nonce", bits=64)
    with pytest.raises(ValueError):
        rlp.encode(-1)
