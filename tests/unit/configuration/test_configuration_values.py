"""Values and JSON Schemas: size limits, JSON-only values, schema checks and error paths."""

from __future__ import annotations

from typing import Any

import pytest

from nsl.core.errors import ValidationFailed
from nsl.services.configuration.validation import check_schema_document, validate_value
from nsl.services.configuration.values import MASK, refuse_mask, serialize


def issues(call: Any, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)
    return [(f.field, f.rule) for f in caught.value.fields]


def test_size_is_measured_on_the_compact_serialization() -> None:
    assert serialize({"a": [1, 2]}, 100) == b'{"a":[1,2]}'
    assert serialize("é", 4) == '"é"'.encode()  # 4 bytes in UTF-8
    assert issues(serialize, "éé", 5) == [("value", "max_bytes")]


@pytest.mark.parametrize("value", [float("nan"), [1, float("inf")], {"a": 2**64}, {"a": {1, 2}}])
def test_values_json_cannot_carry_are_refused(value: Any) -> None:
    assert issues(serialize, value, 1000) == [("value", "json_value")]


def test_the_mask_is_refused() -> None:
    refuse_mask("real")
    assert issues(refuse_mask, MASK, "entries[0].value") == [("entries[0].value", "masked_secret")]


def test_schema_documents_are_checked() -> None:
    assert check_schema_document({"type": "object"}) == {"type": "object"}
    assert issues(check_schema_document, {"properties": {"a": {"type": 5}}}) == [
        ("schema.properties.a.type", "valid_schema")
    ]
    assert issues(check_schema_document, True) == [("schema", "type")]


def test_value_errors_name_the_json_path_and_keyword() -> None:
    schema = {
        "type": "object",
        "properties": {"list": {"items": {"properties": {"n": {"maximum": 3}}}}},
        "additionalProperties": False,
    }
    found = issues(
        validate_value, schema, {"list": [{"n": 1}, {"n": 9}], "extra": 1}, prefix="p", secret=False
    )
    assert sorted(found) == [("value", "additionalProperties"), ("value.list[1].n", "maximum")]


def test_formats_are_asserted() -> None:
    schema = {"type": "string", "format": "ipv4"}
    validate_value(schema, "10.0.0.1", prefix="p", secret=False)
    assert issues(validate_value, schema, "not-an-ip", prefix="p", secret=False) == [
        ("value", "format")
    ]


def test_secret_violations_do_not_repeat_the_value() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_value({"type": "integer"}, "pa55word", prefix="p", secret=True)
    assert "pa55word" not in caught.value.detail
    assert all("pa55word" not in f.message for f in caught.value.fields)
