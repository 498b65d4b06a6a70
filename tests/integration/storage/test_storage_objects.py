"""Upload, download, HEAD, metadata, versions, listing and deletion through the HTTP API."""

from __future__ import annotations

import hashlib

from storage_harness import MIB, Harness


async def test_a_put_object_reads_back_byte_for_byte_with_its_metadata(harness: Harness) -> None:
    data = bytes(range(256)) * 9000  # 2.2 MiB: three chunks
    put = await harness.put(
        "docs/report.bin",
        data,
        headers={"Content-Type": "application/pdf", "X-NSL-Meta-Project": "apollo"},
    )
    assert put.status_code == 201, put.text
    body = put.json()
    assert body["version"] == 1 and body["size"] == len(data) and body["chunks"] == 3
    assert body["sha256"] == hashlib.sha256(data).hexdigest()

    got = await harness.get("docs/report.bin")
    assert got.status_code == 200
    assert got.content == data
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-nsl-meta-project"] == "apollo"
    assert got.headers["etag"] == f'"{body["sha256"]}"'

    head = await harness.call("HEAD", "/objects/docs/report.bin")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(data)


async def test_an_empty_object_and_a_compressed_object_round_trip(harness: Harness) -> None:
    assert (await harness.put("empty", b"")).status_code == 201
    assert (await harness.get("empty")).content == b""
    text = b"the same line again\n" * 200_000  # 4 MB, compresses well
    put = await harness.put("log.txt", text, compress="true")
    assert put.json()["compression"] == "zstd"
    assert put.json()["stored_size"] < len(text) // 10
    assert (await harness.get("log.txt")).content == text


async def test_each_put_makes_a_version_and_every_version_stays_readable(harness: Harness) -> None:
    for n in range(3):
        assert (await harness.put("cfg", f"v{n + 1}".encode())).json()["version"] == n + 1
    assert (await harness.get("cfg")).content == b"v3"
    assert (await harness.get("cfg", version="1")).content == b"v1"
    listed = (await harness.call("GET", "/versions/cfg")).json()
    assert [v["version"] for v in listed["items"]] == [3, 2, 1]
    assert [v["current"] for v in listed["items"]] == [True, False, False]

    assert (
        await harness.call("DELETE", "/objects/cfg", params={"version": "3"})
    ).status_code == 204
    assert (await harness.get("cfg")).content == b"v2"
    assert (await harness.get("cfg", version="3")).status_code == 404
    assert (await harness.call("DELETE", "/objects/cfg")).status_code == 204
    missing = await harness.get("cfg")
    assert missing.status_code == 404 and missing.json()["code"] == "storage.not_found"


async def test_listing_by_prefix_pages_through_the_callers_objects(harness: Harness) -> None:
    for name in ("a/1", "a/2", "a/3", "b/1"):
        await harness.put(name, b"x")
    await harness.put("a/9", b"y", who="bob")
    first = (await harness.call("GET", "/objects", params={"prefix": "a/", "page_size": 2})).json()
    assert first["total"] == 3 and [i["key"] for i in first["items"]] == ["a/1", "a/2"]
    second = await harness.call(
        "GET", "/objects", params={"prefix": "a/", "page": 2, "page_size": 2}
    )
    assert [i["key"] for i in second.json()["items"]] == ["a/3"]
    everyone = await harness.call("GET", "/objects", "root", "admin", params={"prefix": "a/"})
    assert {(i["owner"], i["key"]) for i in everyone.json()["items"]} == {
        ("alice", "a/1"),
        ("alice", "a/2"),
        ("alice", "a/3"),
        ("bob", "a/9"),
    }


async def test_objects_are_stored_encrypted_at_rest(harness: Harness) -> None:
    secret = b"attack at dawn " * 1000
    version_id = (await harness.put("plans", secret)).json()["version_id"]
    rows = await harness.rows("SELECT data FROM storage_chunks WHERE version_id = :v", v=version_id)
    assert len(rows) == 1
    assert b"attack at dawn" not in bytes(rows[0][0])
    assert len(bytes(rows[0][0])) == len(secret) + 12 + 16


async def test_usage_counts_bytes_of_every_version_and_objects(harness: Harness) -> None:
    await harness.put("one", b"a" * 1000)
    await harness.put("one", b"b" * 500)
    await harness.put("two", b"c" * MIB)
    usage = (await harness.call("GET", "/usage")).json()
    assert usage["bytes"]["used"] == 1500 + MIB and usage["objects"]["used"] == 2
    await harness.call("DELETE", "/objects/one")
    usage = (await harness.call("GET", "/usage")).json()
    assert usage["bytes"]["used"] == MIB and usage["objects"]["used"] == 1
