"""Metadata: custom fields, max versions, cas_required, rotation period, deletion of the whole
secret, and listing by prefix with paging (metadata only, never values)."""

from __future__ import annotations

from secrets_harness import Harness


async def test_metadata_changes_are_kept_and_shown(harness: Harness) -> None:
    await harness.put("app/db", {"password": "pw"})
    body = {"custom_metadata": {"team": "payments", "env": "prod"}, "rotation_period_days": 7}
    changed = await harness.request("POST", "/app/db/metadata", json=body)
    assert changed.status_code == 200
    meta = (await harness.request("GET", "/app/db/metadata")).json()
    assert meta["custom_metadata"] == {"team": "payments", "env": "prod"}
    assert meta["rotation_period_days"] == 7 and meta["max_versions"] == 3
    assert meta["cas_required"] is False and meta["owner"] == "alice"
    assert meta["rotation_due_at"] is not None
    assert "pw" not in str(meta)
    # omitted fields keep their value; custom_metadata is replaced as a whole
    await harness.request("PUT", "/app/db/metadata", json={"custom_metadata": {"a": "b"}})
    meta = (await harness.request("GET", "/app/db/metadata")).json()
    assert meta["custom_metadata"] == {"a": "b"} and meta["rotation_period_days"] == 7
    assert (await harness.get("app/db")).json()["custom_metadata"] == {"a": "b"}


async def test_lowering_max_versions_prunes_now(harness: Harness) -> None:
    for i in (1, 2, 3):
        await harness.put("app/db", {"n": i})
    await harness.request("PUT", "/app/db/metadata", json={"max_versions": 1})
    meta = (await harness.request("GET", "/app/db/metadata")).json()
    assert [v["version"] for v in meta["versions"]] == [3] and meta["max_versions"] == 1
    await harness.request("PUT", "/app/db/metadata", json={"max_versions": 0})  # back to default
    assert (await harness.request("GET", "/app/db/metadata")).json()["max_versions"] == 3


async def test_metadata_first_creates_the_secret_for_its_caller(harness: Harness) -> None:
    created = await harness.request("PUT", "/app/new/metadata", json={"cas_required": True})
    assert created.status_code == 200 and created.json()["current_version"] == 0
    assert (await harness.get("app/new")).json()["code"] == "secrets.version_not_found"
    assert (await harness.put("app/new", {"k": "v"})).json()["code"] == "secrets.cas_required"
    assert (await harness.put("app/new", {"k": "v"}, cas=0)).json()["version"] == 1
    assert (await harness.request("GET", "/app/new/metadata", "bob")).status_code == 404


async def test_deleting_metadata_removes_the_secret_and_every_version(harness: Harness) -> None:
    await harness.put("app/db", {"n": 1})
    await harness.put("app/db", {"n": 2})
    assert (await harness.request("DELETE", "/app/db/metadata")).status_code == 204
    assert (await harness.get("app/db")).json()["code"] == "secrets.not_found"
    assert await harness.rows("SELECT id FROM secrets_versions") == []
    assert await harness.rows("SELECT id FROM secrets_secrets") == []
    assert (await harness.put("app/db", {"n": 3})).json()["version"] == 1


async def test_bad_metadata_is_refused_naming_the_field(harness: Harness) -> None:
    await harness.put("app/db", {"n": 1})
    cases = [
        ({"custom_metadata": {f"k{i}": "v" for i in range(65)}}, "custom_metadata"),
        ({"custom_metadata": {"bad key": "v"}}, "custom_metadata.bad key"),
        ({"custom_metadata": {"k": 1}}, "custom_metadata.k"),
        ({"max_versions": -1}, "max_versions"),
        ({"max_versions": 1001}, "max_versions"),
        ({"rotation_period_days": -1}, "rotation_period_days"),
        ({"unknown": 1}, "unknown"),
    ]
    for body, field in cases:
        response = await harness.request("PUT", "/app/db/metadata", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["field"].removeprefix("body.") == field


async def test_listing_by_prefix_with_paging(harness: Harness) -> None:
    for path in ["app/a", "app/b", "app/c", "apple", "other/x"]:
        await harness.put(path, {"secret": f"value-of-{path}"})
    await harness.put("bob/own", {"k": "v"}, who="bob")
    everything = (await harness.request("GET", "")).json()
    assert [i["path"] for i in everything["items"]] == [
        "app/a",
        "app/b",
        "app/c",
        "apple",
        "other/x",
    ]
    assert "value-of" not in str(everything)
    page = (await harness.request("GET", "", params={"prefix": "app/", "page_size": 2})).json()
    assert [i["path"] for i in page["items"]] == ["app/a", "app/b"]
    assert (page["total"], page["page"], page["page_size"]) == (3, 1, 2)
    second = await harness.request("GET", "/", params={"prefix": "app/", "page": 2, "page_size": 2})
    assert [i["path"] for i in second.json()["items"]] == ["app/c"]
    assert [i["path"] for i in (await harness.request("GET", "", "bob")).json()["items"]] == [
        "bob/own"
    ]
    # a list grant shows another's paths, metadata only
    await harness.policy("app/*", "principal:bob", "list")
    bobs = (await harness.request("GET", "", "bob", params={"prefix": "app"})).json()
    assert [i["path"] for i in bobs["items"]] == ["app/a", "app/b", "app/c"]
    assert (await harness.get("app/a", who="bob")).status_code == 403


async def test_bad_listing_parameters(harness: Harness) -> None:
    for params, field in [
        ({"prefix": "/x"}, "prefix"),
        ({"page": 0}, "page"),
        ({"page_size": 501}, "page_size"),
    ]:
        response = await harness.request("GET", "", params=params)
        assert response.status_code in (400, 422) and response.json()["errors"][0]["field"] == field
