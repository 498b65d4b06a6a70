"""Export and import: masked by default, revealed by right, imported all or nothing."""

from __future__ import annotations

from typing import Any

from config_harness import Harness

EXPORT = "/api/v1/configuration/export"
IMPORT = "/api/v1/configuration/import"
SECRET = "s3cr3t-import-value"


async def export(harness: Harness, role: str = "admin", **params: Any) -> dict[str, Any]:
    response = await harness.http.get(EXPORT, params=params, headers=harness.as_(role))
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


async def import_(
    harness: Harness, document: dict[str, Any], role: str = "admin", **params: Any
) -> Any:
    return await harness.http.post(IMPORT, json=document, params=params, headers=harness.as_(role))


async def seed(harness: Harness, environment: str = "staging") -> None:
    await harness.put("app/name", {"value": "demo"}, environment=environment)
    await harness.put("app/db.password", {"value": SECRET}, environment=environment)
    await harness.put("other/x", {"value": [1, 2]}, environment=environment)


async def count(harness: Harness, environment: str) -> int:
    rows = await harness.rows(
        "SELECT count(*) FROM configuration_entries WHERE environment = :e", e=environment
    )
    return int(rows[0][0])


async def test_export_masks_secrets_unless_revealed(harness: Harness) -> None:
    await seed(harness)
    masked = await export(harness, role="auditor", environment="staging")
    assert masked["environment"] == "staging" and masked["revealed"] is False
    values = {e["key"]: e["value"] for e in masked["entries"]}
    assert values == {"app/db.password": "********", "app/name": "demo", "other/x": [1, 2]}
    revealed = await export(harness, environment="staging", reveal="true", prefix="app/")
    assert {e["key"]: e["value"] for e in revealed["entries"]} == {
        "app/db.password": SECRET,
        "app/name": "demo",
    }


async def test_a_revealed_export_imports_into_another_environment(harness: Harness) -> None:
    await seed(harness)
    document = await export(harness, environment="staging", reveal="true")
    response = await import_(harness, document, environment="production")
    assert response.status_code == 200, response.text
    result = response.json()
    assert sorted(result["created"]) == ["app/db.password", "app/name", "other/x"]
    got = await harness.get(
        "app/db.password", role="admin", environment="production", reveal="true"
    )
    assert (got.json()["value"], got.json()["secret"]) == (SECRET, True)
    again = (await import_(harness, document, environment="production")).json()
    assert sorted(again["unchanged"]) == ["app/db.password", "app/name", "other/x"]
    assert (await harness.get("app/name", environment="production")).json()["version"] == 1


async def test_a_masked_export_is_refused_rather_than_storing_the_mask(harness: Harness) -> None:
    await seed(harness)
    document = await export(harness, environment="staging")
    response = await import_(harness, document, environment="production")
    assert response.status_code == 422
    errors = response.json()["errors"]
    index = [e["key"] for e in document["entries"]].index("app/db.password")
    assert errors == [{**errors[0], "field": f"entries[{index}].value", "rule": "masked_secret"}]
    assert await count(harness, "production") == 0


async def test_import_is_all_or_nothing(harness: Harness) -> None:
    await harness.put("app/name", {"value": "before"}, environment="production")
    events_before = await harness.events()
    document = {
        "entries": [
            {"key": "app/name", "value": "after"},
            {"key": "app/new", "value": 1},
            {"key": "bad key!", "value": 2},
            {"key": "app/desc", "value": 3, "description": "d" * 1001},
        ]
    }
    response = await import_(harness, document, environment="production")
    assert response.status_code == 422
    fields = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert fields == {("entries[2].key", "charset"), ("entries[3].description", "max_length")}
    assert (await harness.get("app/name", environment="production")).json()["value"] == "before"
    assert await count(harness, "production") == 1
    assert await harness.events() == events_before


async def test_import_respects_schemas_and_read_only_entries(harness: Harness) -> None:
    await harness.http.put(
        "/api/v1/configuration/schemas",
        params={"prefix": "num/", "environment": "production"},
        json={"schema": {"type": "integer"}},
        headers=harness.as_("admin"),
    )
    bad = {"entries": [{"key": "num/a", "value": 1}, {"key": "num/b", "value": "two"}]}
    response = await import_(harness, bad, environment="production")
    assert response.json()["errors"][0]["field"] == "entries[1].value"
    await harness.put("locked", {"value": 1, "read_only": True}, environment="production")
    locked = {"entries": [{"key": "num/a", "value": 1}, {"key": "locked", "value": 2}]}
    refused = await import_(harness, locked, environment="production")
    assert refused.status_code == 409
    assert await count(harness, "production") == 1
    forced = await import_(harness, {**locked, "force": True}, environment="production")
    assert forced.status_code == 200 and forced.json()["updated"] == ["locked"]


async def test_duplicate_and_out_of_prefix_keys_are_refused(harness: Harness) -> None:
    document = {
        "prefix": "app/",
        "entries": [
            {"key": "app/a", "value": 1},
            {"key": "app/a", "value": 2},
            {"key": "elsewhere", "value": 3},
        ],
    }
    errors = (await import_(harness, document)).json()["errors"]
    assert [(e["field"], e["rule"]) for e in errors] == [
        ("entries[1].key", "unique"),
        ("entries[2].key", "in_prefix"),
    ]


async def test_replace_deletes_unnamed_entries_within_the_prefix_and_merge_does_not(
    harness: Harness,
) -> None:
    for key in ["app/keep", "app/drop", "other/stay"]:
        await harness.put(key, {"value": key})
    document = {"prefix": "app/", "entries": [{"key": "app/keep", "value": "app/keep"}]}
    merged = (await import_(harness, document)).json()
    assert (merged["deleted"], merged["unchanged"]) == ([], ["app/keep"])
    replaced = (await import_(harness, {**document, "mode": "replace"})).json()
    assert replaced["deleted"] == ["app/drop"]
    assert (await harness.get("app/drop")).status_code == 404
    assert (await harness.get("other/stay")).status_code == 200
    topics = [t for t, p in await harness.events() if p["key"] == "app/drop"]
    assert topics == ["configuration.changed", "configuration.deleted"]


async def test_dry_run_reports_the_plan_and_writes_nothing(harness: Harness) -> None:
    await harness.put("app/a", {"value": 1})
    events_before = await harness.events()
    document = {
        "mode": "replace",
        "dry_run": True,
        "entries": [{"key": "app/a", "value": 2}, {"key": "app/b", "value": 3}],
    }
    result = (await import_(harness, document)).json()
    assert (result["created"], result["updated"], result["dry_run"]) == (["app/b"], ["app/a"], True)
    assert (await harness.get("app/a")).json()["value"] == 1
    assert (await harness.get("app/b")).status_code == 404
    assert await harness.events() == events_before


async def test_import_invalidates_cached_reads_and_writes_events(harness: Harness) -> None:
    await harness.put("app/a", {"value": "old"})
    assert (await harness.get("app/a")).json()["value"] == "old"  # now cached
    result = (await import_(harness, {"entries": [{"key": "app/a", "value": "new"}]})).json()
    assert result["updated"] == ["app/a"]
    assert (await harness.get("app/a")).json()["value"] == "new"
    last_topic, last_payload = (await harness.events())[-1]
    assert (last_topic, last_payload["key"], last_payload["version"]) == (
        "configuration.changed",
        "app/a",
        2,
    )


async def test_only_writers_import(harness: Harness) -> None:
    response = await import_(harness, {"entries": []}, role="developer")
    assert response.status_code == 403
    unknown = await import_(harness, {"entries": [], "surprise": 1})
    assert unknown.status_code == 422
