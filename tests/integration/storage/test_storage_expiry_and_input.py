"""Expiry with the periodic purge (manual clock), and bad input answered 4xx naming the field."""

from __future__ import annotations

from datetime import timedelta

from storage_harness import Harness


async def test_an_expired_object_disappears_and_the_purge_frees_its_quota(harness: Harness) -> None:
    h = harness
    when = (h.clock.now() + timedelta(hours=1)).isoformat()
    put = await h.put("tmp/report", b"r" * 5000, expires_at=when)
    assert put.status_code == 201
    await h.put("keep", b"k")
    assert (await h.get("tmp/report")).status_code == 200
    h.clock.advance(3601)
    assert (await h.get("tmp/report")).status_code == 404
    listed = (await h.call("GET", "/objects")).json()
    assert [i["key"] for i in listed["items"]] == ["keep"]
    assert (await h.call("GET", "/usage")).json()["bytes"]["used"] == 5001  # until purged
    await h.service.run_task_once("purge")
    usage = (await h.call("GET", "/usage")).json()
    assert usage["bytes"]["used"] == 1 and usage["objects"]["used"] == 1
    assert (
        await h.rows("SELECT id FROM storage_versions WHERE id = :v", v=put.json()["version_id"])
        == []
    )
    chunks = await h.rows("SELECT count(*) FROM storage_chunks")
    assert int(chunks[0][0]) == 1


async def _field(answer: object) -> tuple[int, str, str]:
    response = answer  # httpx.Response
    problem = response.json()  # type: ignore[attr-defined]
    issue = problem["errors"][0]
    return response.status_code, issue["field"], issue["rule"]  # type: ignore[attr-defined]


async def test_bad_input_is_422_naming_the_field_and_rule(harness: Harness) -> None:
    h = harness
    past = (h.clock.now() - timedelta(seconds=1)).isoformat()
    cases = [
        (await h.put("a/%2E%2E/b", b"x"), "key", "segments"),
        (await h.put("a//b", b"x"), "key", "segments"),
        (await h.put("k" * 1100, b"x"), "key", "max_length"),
        (await h.put("ok", b"x", expires_at="tomorrow"), "expires_at", "datetime"),
        (await h.put("ok", b"x", expires_at=past), "expires_at", "future"),
        (
            await h.put("ok", b"x", headers={"Content-Type": "not a type"}),
            "content-type",
            "media_type",
        ),
        (
            await h.put("ok", b"x", headers={"X-NSL-Meta-Bad_Name": "v"}),
            "x-nsl-meta-bad_name",
            "name",
        ),
        (await h.get("ok", version="zero"), "version", "positive_integer"),
        (await h.call("GET", "/objects", params={"page_size": "0"}), "page_size", "range"),
        (await h.call("GET", "/objects", params={"owner": "bad owner!"}), "owner", "principal_id"),
        (
            await h.call("POST", "/share", json={"key": "ok", "grantee": "bob", "access": "all"}),
            "access",
            "literal_error",
        ),
    ]
    for answer, field, rule in cases:
        assert answer.status_code == 422, (field, rule, answer.text)
        assert await _field(answer) == (422, field, rule), answer.text
    too_many = {f"X-NSL-Meta-K{n}": "v" for n in range(40)}
    assert await _field(await h.put("ok", b"x", headers=too_many)) == (
        422,
        "metadata",
        "max_entries",
    )
    assert await h.rows("SELECT id FROM storage_objects") == []


async def test_a_body_shorter_than_its_content_length_stores_nothing(harness: Harness) -> None:
    h = harness

    async def short():  # type: ignore[no-untyped-def]
        yield b"only ten b"

    status, body = await h.stream_put("short", short, length=100)
    assert status == 400 and b"storage.length_mismatch" in body
    assert await h.rows("SELECT id FROM storage_objects") == []
    assert (await h.call("GET", "/usage")).json()["bytes"]["used"] == 0


async def test_a_put_over_an_expired_object_starts_afresh(harness: Harness) -> None:
    h = harness
    when = (h.clock.now() + timedelta(minutes=5)).isoformat()
    await h.put("tmp", b"old-1", expires_at=when)
    await h.put("tmp", b"old-2", expires_at=when)
    h.clock.advance(301)
    fresh = await h.put("tmp", b"new")
    assert fresh.status_code == 201 and fresh.json()["version"] == 1
    versions = (await h.call("GET", "/versions/tmp")).json()["items"]
    assert [v["version"] for v in versions] == [1]
    usage = (await h.call("GET", "/usage")).json()
    assert usage["bytes"]["used"] == 3 and usage["objects"]["used"] == 1
