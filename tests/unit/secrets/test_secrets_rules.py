"""Input rules of the secrets service: paths, prefixes, versions, data and custom metadata."""

from __future__ import annotations

from typing import Any

import pytest

from nsl.core.errors import BadRequest, NslError, ValidationFailed
from nsl.services.secrets import rules


@pytest.mark.parametrize("path", ["app/db", "a", "A-b_c.d/e.f/g-9", "x" * 500, "app/metadata/x"])
def test_valid_paths_pass(path: str) -> None:
    assert rules.check_path(path) == path


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("", "length"),
        ("x" * 501, "length"),
        ("app db", "charset"),
        ("app/db?", "charset"),
        ("ключ", "charset"),
        ("/app", "slashes"),
        ("app/", "slashes"),
        ("app//db", "slashes"),
        ("app/../db", "dot_segments"),
        ("./db", "dot_segments"),
        ("_policies", "reserved_segment"),
        ("app/_x/db", "reserved_segment"),
        ("app/metadata", "reserved_suffix"),
        ("undelete", "reserved_suffix"),
        ("app/destroy", "reserved_suffix"),
    ],
)
def test_bad_paths_are_400_naming_the_rule(path: str, rule: str) -> None:
    with pytest.raises(BadRequest) as caught:
        rules.check_path(path)
    error = caught.value
    assert error.status == 400 and error.code == "secrets.invalid_path"
    assert [(f.field, f.rule) for f in error.fields] == [("path", rule)]


def test_reserved_names_are_explained() -> None:
    with pytest.raises(BadRequest, match="_"):
        rules.check_path("_policies")
    with pytest.raises(BadRequest, match="metadata"):
        rules.check_path("a/metadata")


@pytest.mark.parametrize("prefix", [None, "", "app/", "app", "app/d"])
def test_prefixes(prefix: str | None) -> None:
    assert rules.check_prefix(prefix) == (prefix or "")


@pytest.mark.parametrize("prefix", ["/app", "app//", "a b"])
def test_bad_prefixes(prefix: str) -> None:
    with pytest.raises(BadRequest) as caught:
        rules.check_prefix(prefix)
    assert caught.value.fields[0].field == "prefix"


@pytest.mark.parametrize(("value", "expected"), [(1, 1), ("7", 7), ("2147483647", 2**31 - 1)])
def test_versions_parse(value: Any, expected: int) -> None:
    assert rules.check_version(value) == expected


@pytest.mark.parametrize("value", [0, -1, "0", "abc", "1.5", 1.0, True, None, "", "٣", 2**31])
def test_bad_versions_are_400(value: Any) -> None:
    with pytest.raises(BadRequest) as caught:
        rules.check_version(value)
    assert caught.value.status == 400 and caught.value.fields[0].field == "version"


def test_version_lists() -> None:
    assert rules.check_versions([3, 1, 3]) == [1, 3]
    assert rules.check_versions([2, 1]) == [1, 2]
    for bad in ([], "1", ["1", "x"], [1, 0], list(range(1, 102)), {"1": 1}, 5):
        with pytest.raises(BadRequest):
            rules.check_versions(bad)
    with pytest.raises(BadRequest) as caught:
        rules.check_versions([1, "a"])
    assert caught.value.fields[0].field == "versions[1]"


def test_data_must_be_a_bounded_json_object() -> None:
    assert rules.encode_data({"user": "u", "n": [1, {"x": None}]}, 100) == (
        b'{"user":"u","n":[1,{"x":null}]}'
    )
    cases: list[tuple[Any, str]] = [
        ("text", "type"),
        ([1], "type"),
        (None, "type"),
        ({"big": 2**70}, "json"),
        ({"v": "x" * 100}, "max_bytes"),
    ]
    for data, rule in cases:
        with pytest.raises(ValidationFailed) as caught:
            rules.encode_data(data, 64)
        assert caught.value.status == 422
        assert [(f.field, f.rule) for f in caught.value.fields] == [("data", rule)]


def test_custom_metadata_limits() -> None:
    assert rules.check_custom_metadata({"team": "payments"}) == {"team": "payments"}
    too_many = {f"k{i}": "v" for i in range(65)}
    bad: list[dict[str, str]] = [
        too_many,
        {"a b": "v"},
        {"k" * 129: "v"},
        {"k": "v" * 513},
        {"": "v"},
    ]
    for pairs in bad:
        with pytest.raises(NslError) as caught:
            rules.check_custom_metadata(pairs)
        assert caught.value.fields[0].field.startswith("custom_metadata")


def test_paging() -> None:
    rules.check_page(1, 500)
    for page, size in [(0, 10), (1, 0), (1, 501)]:
        with pytest.raises(ValidationFailed):
            rules.check_page(page, size)
