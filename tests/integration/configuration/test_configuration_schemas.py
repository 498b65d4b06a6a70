"""JSON Schemas by key prefix: checked when registered; the longest prefix applies to later sets."""

from __future__ import annotations

from typing import Any

from config_harness import Harness

URL = "/api/v1/configuration/schemas"
SERVERS = {
    "type": "object",
    "properties": {
        "servers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"host": {"type": "string"}, "port": {"type": "integer"}},
                "required": ["host"],
            },
        },
        "timeout": {"type": "number", "minimum": 0},
    },
}


async def put_schema(harness: Harness, prefix: str, schema: Any, role: str = "operator") -> Any:
    return await harness.http.put(
        URL, params={"prefix": prefix}, json={"schema": schema}, headers=harness.as_(role)
    )


async def test_a_value_breaking_the_schema_is_refused_with_the_json_path(harness: Harness) -> None:
    assert (await put_schema(harness, "svc/", SERVERS)).status_code == 200
    bad = {"servers": [{"host": "a", "port": 1}, {"host": "b", "port": "eighty"}]}
    response = await harness.put("svc/api", {"value": bad})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "configuration.schema_violation"
    assert body["errors"][0]["field"] == "value.servers[1].port"
    assert body["errors"][0]["rule"] == "type"
    assert (await harness.get("svc/api")).status_code == 404


async def test_every_violation_is_listed(harness: Harness) -> None:
    await put_schema(harness, "svc/", SERVERS)
    bad = {"servers": [{"port": 1}], "timeout": -1}
    errors = (await harness.put("svc/api", {"value": bad})).json()["errors"]
    assert {(e["field"], e["rule"]) for e in errors} == {
        ("value.servers[0]", "required"),
        ("value.timeout", "minimum"),
    }


async def test_a_conforming_value_is_stored(harness: Harness) -> None:
    await put_schema(harness, "svc/", SERVERS)
    good = {"servers": [{"host": "a", "port": 80}], "timeout": 2.5}
    assert (await harness.put("svc/api", {"value": good})).status_code == 200
    assert (await harness.put("other/api", {"value": "not an object"})).status_code == 200


async def test_the_longest_matching_prefix_decides(harness: Harness) -> None:
    await put_schema(harness, "svc/", {"type": "object"})
    await put_schema(harness, "svc/db.", {"type": "integer"})
    assert (await harness.put("svc/db.pool", {"value": 10})).status_code == 200
    assert (await harness.put("svc/db.pool", {"value": {"a": 1}})).status_code == 422
    assert (await harness.put("svc/cache", {"value": 10})).status_code == 422


async def test_schema_errors_on_secrets_do_not_repeat_the_value(harness: Harness) -> None:
    await put_schema(harness, "vault/", {"type": "integer"})
    response = await harness.put("vault/token", {"value": "tok-SECRET-123"})
    assert response.status_code == 422
    assert "tok-SECRET-123" not in response.text


async def test_schemas_apply_per_environment(harness: Harness) -> None:
    await harness.http.put(
        URL,
        params={"prefix": "svc/", "environment": "production"},
        json={"schema": {"type": "integer"}},
        headers=harness.as_("admin"),
    )
    assert (await harness.put("svc/x", {"value": "text"})).status_code == 200
    refused = await harness.put("svc/x", {"value": "text"}, environment="production")
    assert refused.status_code == 422


async def test_invalid_schemas_are_refused_naming_the_rule(harness: Harness) -> None:
    cases = [
        ({"type": "nope"}, "schema.type", "valid_schema"),
        ({"minimum": "zero"}, "schema.minimum", "valid_schema"),
        ([1, 2], "schema", "type"),
        ({"$ref": "https://example.com/s.json"}, "schema", "local_refs"),
        ({"$ref": "#/$defs/missing"}, "schema", "resolvable_refs"),
    ]
    for schema, field, rule in cases:
        response = await put_schema(harness, "svc/", schema)
        assert response.status_code == 422, schema
        error = response.json()["errors"][0]
        assert (error["field"], error["rule"]) == (field, rule), schema
    listed = (await harness.http.get(URL, headers=harness.as_("user"))).json()
    assert listed["total"] == 0


async def test_local_refs_are_allowed(harness: Harness) -> None:
    schema = {"$defs": {"port": {"type": "integer"}}, "properties": {"p": {"$ref": "#/$defs/port"}}}
    assert (await put_schema(harness, "svc/", schema)).status_code == 200
    response = await harness.put("svc/x", {"value": {"p": "x"}})
    assert response.json()["errors"][0]["field"] == "value.p"


async def test_schema_read_list_replace_and_delete(harness: Harness) -> None:
    await put_schema(harness, "a/", {"type": "string"})
    await put_schema(harness, "b/", {"type": "integer"})
    replaced = (await put_schema(harness, "a/", {"type": "boolean"}, role="admin")).json()
    assert replaced["schema"] == {"type": "boolean"}
    one = (await harness.http.get(URL, params={"prefix": "a/"}, headers=harness.as_("user"))).json()
    assert (one["prefix"], one["schema"]) == ("a/", {"type": "boolean"})
    listed = (await harness.http.get(URL, headers=harness.as_("user"))).json()
    assert [s["prefix"] for s in listed["items"]] == ["a/", "b/"]
    gone = await harness.http.delete(URL, params={"prefix": "b/"}, headers=harness.as_("operator"))
    assert gone.status_code == 204
    missing = await harness.http.get(URL, params={"prefix": "b/"}, headers=harness.as_("user"))
    assert missing.status_code == 404
    assert (await harness.put("b/x", {"value": "any"})).status_code == 200


async def test_only_writers_register_schemas(harness: Harness) -> None:
    for role in ["developer", "user", "auditor"]:
        assert (await put_schema(harness, "svc/", {"type": "object"}, role=role)).status_code == 403
    bad_prefix = await put_schema(harness, "bad prefix", {"type": "object"})
    assert bad_prefix.json()["errors"][0] == {**bad_prefix.json()["errors"][0], "field": "prefix"}
