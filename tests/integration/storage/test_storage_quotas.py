"""Quotas: exactly the uploads that fit succeed under concurrency, 413 with usage otherwise,
and a refused or aborted upload leaves no version, no chunk and no reserved usage."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from storage_harness import MIB, Harness, pattern

from nsl.core.ids import new_id


async def _limit(h: Harness, owner: str, max_bytes: int | None, max_objects: int | None) -> None:
    body = {"max_bytes": max_bytes, "max_objects": max_objects}
    answer = await h.call("PUT", f"/quotas/{owner}", "root", "admin", json=body)
    assert answer.status_code == 200, answer.text


async def _leftovers(h: Harness) -> tuple[int, int]:
    uploads = await h.rows("SELECT count(*) FROM storage_uploads")
    chunks = await h.rows(
        "SELECT count(*) FROM storage_chunks "
        "WHERE version_id NOT IN (SELECT id FROM storage_versions)"
    )
    return int(uploads[0][0]), int(chunks[0][0])


async def test_concurrent_uploads_exactly_the_ones_that_fit_succeed(harness: Harness) -> None:
    h = harness
    size = 2 * MIB + 5
    await _limit(h, "alice", 5 * size, None)  # room for five of eight
    uploads = (h.stream_put(f"obj/{n}", pattern(size, n), length=size) for n in range(8))
    results = await asyncio.gather(*uploads)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 5 + [413] * 3
    usage = (await h.call("GET", "/usage")).json()
    assert usage["bytes"]["used"] == 5 * size
    assert usage["objects"]["used"] == 5
    stored = await h.rows("SELECT sum(size), count(*) FROM storage_versions")
    assert (int(stored[0][0]), int(stored[0][1])) == (5 * size, 5)
    assert await _leftovers(h) == (0, 0)


async def test_concurrent_uploads_of_unknown_length_never_pass_the_limit(
    harness: Harness,
) -> None:
    """Without Content-Length, bytes are reserved chunk by chunk: uploads racing for the
    last room may all lose it, but together they never exceed the limit."""
    h = harness
    size = 2 * MIB + 5
    await _limit(h, "alice", 5 * size, None)
    results = await asyncio.gather(*(h.stream_put(f"u/{n}", pattern(size, n)) for n in range(8)))
    succeeded = sum(1 for status, _ in results if status == 201)
    assert {status for status, _ in results} <= {201, 413}
    assert 1 <= succeeded <= 5
    usage = (await h.call("GET", "/usage")).json()
    assert usage["bytes"]["used"] == succeeded * size <= 5 * size
    assert usage["objects"]["used"] == succeeded
    assert await _leftovers(h) == (0, 0)


async def test_the_object_count_quota_holds_under_concurrency(harness: Harness) -> None:
    h = harness
    await _limit(h, "alice", None, 3)
    results = await asyncio.gather(*(h.stream_put(f"k{n}", pattern(1000, n)) for n in range(6)))
    assert sorted(s for s, _ in results) == [201] * 3 + [413] * 3
    assert (await h.put("k-new", b"x")).status_code == 413
    existing = next(f"k{n}" for n, (s, _) in enumerate(results) if s == 201)
    assert (await h.put(existing, b"a new version is not a new object")).status_code == 201
    assert (await h.call("GET", "/usage")).json()["objects"]["used"] == 3


async def test_an_upload_beyond_quota_is_413_problem_with_usage(harness: Harness) -> None:
    h = harness
    await _limit(h, "alice", 3 * MIB, 10)
    assert (await h.put("first", b"a" * (2 * MIB))).status_code == 201
    refused = await h.put("second", b"b" * (2 * MIB))
    assert refused.status_code == 413
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "storage.quota_exceeded"
    assert problem["usage"]["bytes"] == {"used": 2 * MIB, "limit": 3 * MIB}
    assert problem["usage"]["objects"] == {"used": 1, "limit": 10}
    assert (await h.get("second")).status_code == 404
    assert await _leftovers(h) == (0, 0)
    assert (await h.call("GET", "/usage")).json()["bytes"]["used"] == 2 * MIB


async def test_an_upload_cut_off_midway_leaves_nothing_behind(harness: Harness) -> None:
    h = harness

    async def breaks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"z" * (512 * 1024)
        raise ConnectionResetError("client went away")

    failed = False
    try:
        await h.stream_put("cut", lambda: breaks())
    except ConnectionResetError:
        failed = True
    assert failed
    assert (await h.get("cut")).status_code == 404
    assert await _leftovers(h) == (0, 0)
    usage = (await h.call("GET", "/usage")).json()
    assert usage["bytes"]["used"] == 0 and usage["objects"]["used"] == 0


async def test_an_upload_abandoned_by_a_crash_is_reclaimed_by_the_purge(harness: Harness) -> None:
    h = harness
    upload_id = new_id()
    await h.service.quotas.ensure("alice")
    async with h.database.session() as session:
        await h.service.quotas.reserve(session, "alice", nbytes=4096, objects=1)
    await h.execute(
        "INSERT INTO storage_uploads (id, owner_id, key, reserved_bytes, reserved_object, "
        "chunk_store, started_at, touched_at) VALUES "
        "(:id, 'alice', 'k', 4096, :t, 'database', :now, :now)",
        id=upload_id,
        t=True,
        now=h.clock.now(),
    )
    await h.service.stores["database"].put(upload_id, 0, b"x" * 60)
    await h.service.run_task_once("purge")
    assert (await h.call("GET", "/usage")).json()["bytes"]["used"] == 4096  # not stale yet
    h.clock.advance(h.service.settings.abandoned_upload_s + 1)
    await h.service.run_task_once("purge")
    usage = (await h.call("GET", "/usage")).json()
    assert usage["bytes"]["used"] == 0 and usage["objects"]["used"] == 0
    assert await _leftovers(h) == (0, 0)


async def test_only_an_admin_sets_quotas(harness: Harness) -> None:
    answer = await harness.call("PUT", "/quotas/alice", json={"max_bytes": 1})
    assert answer.status_code == 403
    bad = await harness.call("PUT", "/quotas/alice", "root", "admin", json={"max_bytes": -1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "max_bytes"
