"""Entries over HTTP on SQLite and PostgreSQL: versions, history, list, cache, events, roles."""

from __future__ import annotations

from typing import Any

from config_harness import Harness


async def test_set_then_get_returns_the_value_and_its_metadata(harness: Harness) -> None:
    put = await harness.put(
        "app/feature.flags", {"value": {"beta": True, "limit": 5}, "description": "flags"}
    )
    assert put.status_code == 200, put.text
    got = await harness.get("app/feature.flags")
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/json"
    body = got.json()
    assert body["value"] == {"beta": True, "limit": 5}
    assert body["version"] == 1
    assert body["environment"] == "test"
    assert body["description"] == "flags"
    assert body["scope"] == "global"
    assert body["secret"] is False and body["read_only"] is False
    assert body["updated_by"] == "p-test"


async def test_every_set_increments_the_version_and_keeps_created_at(harness: Harness) -> None:
    first = (await harness.put("svc.timeout", {"value": 1})).json()
    harness.clock.advance(60)
    second = (await harness.put("svc.timeout", {"value": 2})).json()
    third = (await harness.put("svc.timeout", {"value": 2})).json()
    assert [first["version"], second["version"], third["version"]] == [1, 2, 3]
    assert third["created_at"] == first["created_at"]
    assert third["updated_at"] != first["updated_at"]


async def test_history_is_newest_first_and_keeps_only_the_last_n(harness: Harness) -> None:
    for n in range(1, 6):
        await harness.put("svc.retries", {"value": n})
    history = await harness.http.get(
        "/api/v1/configuration/svc.retries/history", headers=harness.as_("auditor")
    )
    assert history.status_code == 200
    items = history.json()["items"]
    assert [i["version"] for i in items] == [5, 4, 3]  # history_limit=3 in the harness
    assert [i["value"] for i in items] == [5, 4, 3]
    stored = await harness.rows(
        "SELECT version FROM configuration_versions WHERE key = 'svc.retries' ORDER BY version"
    )
    assert [r[0] for r in stored] == [3, 4, 5]


async def test_history_limit_parameter_and_its_bounds(harness: Harness) -> None:
    for n in range(3):
        await harness.put("svc.x", {"value": n})
    url = "/api/v1/configuration/svc.x/history"
    one = await harness.http.get(url, params={"limit": 1}, headers=harness.as_("user"))
    assert [i["version"] for i in one.json()["items"]] == [3]
    bad = await harness.http.get(url, params={"limit": 0}, headers=harness.as_("user"))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "limit"


async def test_delete_removes_the_entry_and_records_a_deleted_version(harness: Harness) -> None:
    await harness.put("svc.gone", {"value": "x"})
    deleted = await harness.http.delete(
        "/api/v1/configuration/svc.gone", headers=harness.as_("admin")
    )
    assert deleted.status_code == 204
    missing = await harness.get("svc.gone")
    assert missing.status_code == 404
    assert missing.json()["code"] == "configuration.not_found"
    history = (
        await harness.http.get(
            "/api/v1/configuration/svc.gone/history", headers=harness.as_("user")
        )
    ).json()["items"]
    assert history[0] == {**history[0], "version": 2, "deleted": True, "value": None}
    again = (await harness.put("svc.gone", {"value": "back"})).json()
    assert again["version"] == 3


async def test_delete_of_a_missing_key_is_404(harness: Harness) -> None:
    response = await harness.http.delete("/api/v1/configuration/nope", headers=harness.as_("admin"))
    assert response.status_code == 404


async def test_read_after_write_returns_the_new_version_even_when_cached(harness: Harness) -> None:
    await harness.put("hot.key", {"value": "one"})
    assert (await harness.get("hot.key")).json()["value"] == "one"
    assert harness.cache.peek("configuration:entry:v1:test:hot.key") is not None
    await harness.put("hot.key", {"value": "two"})
    assert harness.cache.peek("configuration:entry:v1:test:hot.key") is None
    body = (await harness.get("hot.key")).json()
    assert (body["value"], body["version"]) == ("two", 2)
    await harness.http.delete("/api/v1/configuration/hot.key", headers=harness.as_("admin"))
    assert (await harness.get("hot.key")).status_code == 404


async def test_a_cached_read_does_not_touch_the_database(harness: Harness) -> None:
    await harness.put("hot.cached", {"value": [1, 2, 3]})
    first = await harness.get("hot.cached")
    # Change the row behind the service's back: a cache hit must not see it.
    async with harness.database.session() as session:
        from sqlalchemy import text

        await session.execute(
            text("UPDATE configuration_entries SET value_json = '[9]' WHERE key = 'hot.cached'")
        )
    second = await harness.get("hot.cached")
    assert second.content == first.content


async def test_every_change_writes_an_event_without_values(harness: Harness) -> None:
    await harness.put("evt.a", {"value": "plain"})
    await harness.put("evt.a", {"value": "plain2"})
    await harness.http.delete(
        "/api/v1/configuration/evt.a", headers=harness.as_("admin", who="p-admin")
    )
    events = await harness.events()
    assert [t for t, _ in events] == [
        "configuration.changed",
        "configuration.changed",
        "configuration.deleted",
    ]
    assert events[1][1] == {
        "environment": "test",
        "key": "evt.a",
        "version": 2,
        "actor": "p-test",
        "secret": False,
        "scope": "global",
    }
    assert events[2][1] == {"environment": "test", "key": "evt.a", "version": 3, "actor": "p-admin"}
    assert all("value" not in payload for _, payload in events)


async def test_a_refused_write_writes_nothing(harness: Harness) -> None:
    await harness.put("ro.key", {"value": 1, "read_only": True})
    before = await harness.events()
    refused = await harness.put("ro.key", {"value": 2})
    assert refused.status_code == 409
    assert await harness.events() == before
    assert (await harness.get("ro.key")).json()["version"] == 1


async def test_list_pages_by_prefix_in_key_order(harness: Harness) -> None:
    for key in ["b/two", "b/one", "a/zero", "b/three", "b_x"]:
        await harness.put(key, {"value": key})
    url = "/api/v1/configuration"
    first = (
        await harness.http.get(
            url, params={"prefix": "b/", "page_size": 2}, headers=harness.as_("user")
        )
    ).json()
    assert [i["key"] for i in first["items"]] == ["b/one", "b/three"]
    assert (first["total"], first["page"], first["page_size"]) == (3, 1, 2)
    second = (
        await harness.http.get(
            url, params={"prefix": "b/", "page_size": 2, "page": 2}, headers=harness.as_("user")
        )
    ).json()
    assert [i["key"] for i in second["items"]] == ["b/two"]
    everything = (await harness.http.get(url + "/", headers=harness.as_("user"))).json()
    assert everything["total"] == 5 and everything["page_size"] == 50
    too_big = await harness.http.get(url, params={"page_size": 501}, headers=harness.as_("user"))
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["field"] == "page_size"


async def test_prefix_matching_is_exact_and_case_sensitive(harness: Harness) -> None:
    for key in ["App.name", "app.name", "a_p.x", "axp.x"]:
        await harness.put(key, {"value": 1})
    url = "/api/v1/configuration"
    upper = (
        await harness.http.get(url, params={"prefix": "App"}, headers=harness.as_("user"))
    ).json()
    assert [i["key"] for i in upper["items"]] == ["App.name"]
    underscore = (
        await harness.http.get(url, params={"prefix": "a_"}, headers=harness.as_("user"))
    ).json()
    assert [i["key"] for i in underscore["items"]] == ["a_p.x"]


async def test_environments_are_separate(harness: Harness) -> None:
    await harness.put("db.pool", {"value": 5}, environment="staging")
    await harness.put("db.pool", {"value": 50}, environment="production")
    assert (await harness.get("db.pool", environment="staging")).json()["value"] == 5
    assert (await harness.get("db.pool", environment="production")).json()["value"] == 50
    assert (await harness.get("db.pool")).status_code == 404  # default environment: test
    bad = await harness.get("db.pool", environment="qa")
    assert bad.status_code == 422
    assert bad.json()["errors"][0] == {
        **bad.json()["errors"][0],
        "field": "environment",
        "rule": "allowed_values",
    }


async def test_roles_guard_reads_and_writes(harness: Harness) -> None:
    assert (await harness.put("r.k", {"value": 1}, role="developer")).status_code == 403
    assert (await harness.put("r.k", {"value": 1}, role="user")).status_code == 403
    assert (await harness.put("r.k", {"value": 1}, role="service")).status_code == 200
    for role in ["admin", "operator", "service", "developer", "auditor", "user"]:
        assert (await harness.get("r.k", role=role)).status_code == 200
    anonymous = await harness.http.get("/api/v1/configuration/r.k")
    assert anonymous.status_code == 401
    delete = await harness.http.delete("/api/v1/configuration/r.k", headers=harness.as_("auditor"))
    assert delete.status_code == 403


async def test_body_with_unknown_fields_is_refused(harness: Harness) -> None:
    response = await harness.put("x.y", {"value": 1, "colour": "red"})
    assert response.status_code == 422


async def test_keep_flags_when_an_update_omits_them(harness: Harness) -> None:
    await harness.put("keep.me", {"value": 1, "description": "d", "scope": "svc-a"})
    body: dict[str, Any] = (await harness.put("keep.me", {"value": 2})).json()
    assert (body["description"], body["scope"]) == ("d", "svc-a")


async def test_concurrent_writers_get_distinct_versions_or_a_clean_conflict(
    harness: Harness,
) -> None:
    import asyncio

    responses = await asyncio.gather(*(harness.put("race.key", {"value": n}) for n in range(10)))
    assert {r.status_code for r in responses} <= {200, 409}
    versions = sorted(r.json()["version"] for r in responses if r.status_code == 200)
    assert versions == list(range(1, len(versions) + 1))
    final = (await harness.get("race.key")).json()
    assert final["version"] == len(versions)
    assert len([t for t, p in await harness.events() if p["key"] == "race.key"]) == len(versions)
