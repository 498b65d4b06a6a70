"""Event matching: name, equality filters with value normalisation, and JSON-safe payloads."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from nsl.core.chain import ChainEvent
from nsl.services.events.matching import canonical, jsonable, matches


def event(name: str = "Stored", **args: Any) -> ChainEvent:
    return ChainEvent("neo-x", "0xC0ffee", name, args, "0xtx", 7, "0xb7", 0)


def test_name_must_match_when_given() -> None:
    assert matches(event("Stored"), "Stored", {})
    assert matches(event("Stored"), None, {})
    assert not matches(event("Touched"), "Stored", {})


def test_every_filter_must_hold() -> None:
    stored = event(key=5, setter="0xAbC0000000000000000000000000000000000001", note="hi")
    assert matches(stored, "Stored", {"key": 5, "note": "hi"})
    assert not matches(stored, "Stored", {"key": 5, "note": "ho"})
    assert not matches(stored, "Stored", {"missing": 1})


@pytest.mark.parametrize(
    ("arg", "wanted"),
    [
        (5, "5"),
        ("5", 5),
        ("0xABCDEF", "0xabcdef"),
        (True, True),
        (2**80, str(2**80)),
        (b"\x01\x02", "0x0102"),
    ],
)
def test_values_compare_after_normalisation(arg: Any, wanted: Any) -> None:
    assert matches(event(v=arg), None, {"v": wanted})


@pytest.mark.parametrize(("arg", "wanted"), [(1, True), ("abc", "ABC"), (5, "05x"), ("1", 2)])
def test_different_values_do_not_match(arg: Any, wanted: Any) -> None:
    assert not matches(event(v=arg), None, {"v": wanted})


def test_booleans_are_not_integers() -> None:
    assert canonical(True) == "true" and canonical(1) == "1"


def test_jsonable_makes_plain_json_for_any_encoder() -> None:
    value = {"big": 2**70, "small": -3, "raw": b"\xff", "items": (1, [2**60])}
    plain = jsonable(value)
    assert plain == {"big": str(2**70), "small": -3, "raw": "0xff", "items": [1, [str(2**60)]]}
    assert orjson.loads(orjson.dumps(plain)) == plain
