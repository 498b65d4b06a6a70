"""Bad input is a 422 naming the field and the rule (never a 500), and read-only entries hold."""

from __future__ import annotations

from typing import Any

import pytest
from config_harness import Harness


def first_error(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    error: dict[str, str] = response.json()["errors"][0]
    return error


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("k" * 256, "length"),
        ("has space", "charset"),
        ("dollar$sign", "charset"),
        ("ümlaut", "charset"),
        ("trailing/", "slashes"),
        ("/leading", "slashes"),
        ("double//slash", "slashes"),
        ("up/%2E%2E/escape", "dot_segments"),  # encoded: clients drop ../ themselves
        ("a..b", "dot_segments"),
        ("a/%2E/b", "dot_segments"),
        ("feature/history", "reserved_suffix"),
        ("export", "reserved"),
        ("import", "reserved"),
    ],
)
async def test_invalid_keys_are_refused_naming_the_rule(
    harness: Harness, key: str, rule: str
) -> None:
    error = first_error(await harness.put(key, {"value": 1}))
    assert (error["field"], error["rule"]) == ("key", rule)


async def test_longest_valid_key_is_accepted(harness: Harness) -> None:
    key = "a/" + "k" * 253
    assert (await harness.put(key, {"value": 1})).status_code == 200
    assert (await harness.get(key)).json()["key"] == key


async def test_a_value_of_exactly_the_limit_is_stored_and_one_byte_more_is_refused(
    harness: Harness,
) -> None:
    limit = harness.service.ctx.settings.configuration.max_value_bytes
    assert limit == 1024 * 1024
    fits = "x" * (limit - 2)  # the serialized string carries two quotes
    assert (await harness.put("big.value", {"value": fits})).status_code == 200
    error = first_error(await harness.put("big.value", {"value": fits + "x"}))
    assert (error["field"], error["rule"]) == ("value", "max_bytes")
    assert (await harness.get("big.value")).json()["version"] == 1


@pytest.mark.parametrize(
    "raw",
    [b'{"value": NaN}', b'{"value": [1, Infinity]}', b'{"value": 1180591620717411303424}'],
)
async def test_values_json_cannot_carry_are_refused(harness: Harness, raw: bytes) -> None:
    response = await harness.http.put(
        "/api/v1/configuration/num.value",
        content=raw,
        headers={**harness.as_("admin"), "content-type": "application/json"},
    )
    error = first_error(response)
    assert (error["field"], error["rule"]) == ("value", "json_value")


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"value": 1, "description": "d" * 1001}, "description", "max_length"),
        ({"value": 1, "scope": "Not A Scope"}, "scope", "pattern"),
        ({"value": 1, "scope": "s" * 65}, "scope", "pattern"),
    ],
)
async def test_invalid_metadata_is_refused(
    harness: Harness, body: dict[str, Any], field: str, rule: str
) -> None:
    error = first_error(await harness.put("meta.key", body))
    assert (error["field"], error["rule"]) == (field, rule)
    assert (await harness.get("meta.key")).status_code == 404


async def test_read_only_entries_change_only_for_an_admin_with_force(harness: Harness) -> None:
    await harness.put("locked.value", {"value": 1, "read_only": True})
    for role, params in [("operator", {}), ("operator", {"force": "true"}), ("admin", {})]:
        refused = await harness.put("locked.value", {"value": 2}, role=role, **params)
        assert refused.status_code == 409
        assert refused.json()["code"] == "configuration.read_only"
        deleted = await harness.http.delete(
            "/api/v1/configuration/locked.value", params=params, headers=harness.as_(role)
        )
        assert deleted.status_code == 409
    forced = await harness.put("locked.value", {"value": 2}, role="admin", force="true")
    assert forced.status_code == 200
    assert (forced.json()["version"], forced.json()["read_only"]) == (2, True)
    removed = await harness.http.delete(
        "/api/v1/configuration/locked.value", params={"force": "true"}, headers=harness.as_("admin")
    )
    assert removed.status_code == 204


async def test_an_admin_with_force_can_clear_the_read_only_flag(harness: Harness) -> None:
    await harness.put("locked.flag", {"value": 1, "read_only": True})
    cleared = await harness.put(
        "locked.flag", {"value": 1, "read_only": False}, role="admin", force="true"
    )
    assert cleared.json()["read_only"] is False
    assert (await harness.put("locked.flag", {"value": 3})).status_code == 200


async def test_operations_are_counted_by_outcome(harness: Harness) -> None:
    await harness.put("count.me", {"value": 1})
    await harness.put("bad key", {"value": 1})
    registry = harness.service.ctx.metrics.registry
    ok = registry.get_sample_value(
        "nsl_service_operations_total",
        {"service": "configuration", "operation": "set", "outcome": "ok"},
    )
    errors = registry.get_sample_value(
        "nsl_service_errors_total",
        {"service": "configuration", "operation": "set", "code": "request.invalid"},
    )
    assert (ok, errors) == (1.0, 1.0)
