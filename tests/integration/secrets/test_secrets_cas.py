"""Check-and-set: create-only, mismatch 409, cas_required, and racing writers (one wins)."""

from __future__ import annotations

import asyncio

from secrets_harness import Harness


async def test_cas_zero_creates_only_when_absent(harness: Harness) -> None:
    assert (await harness.put("app/db", {"n": 1}, cas=0)).json()["version"] == 1
    again = await harness.put("app/db", {"n": 2}, cas=0)
    assert again.status_code == 409 and again.json()["code"] == "secrets.cas_mismatch"
    assert (await harness.get("app/db")).json()["data"] == {"n": 1}


async def test_cas_must_name_the_current_version(harness: Harness) -> None:
    await harness.put("app/db", {"n": 1})
    await harness.put("app/db", {"n": 2})
    stale = await harness.put("app/db", {"n": 3}, cas=1)
    assert stale.status_code == 409 and stale.json()["code"] == "secrets.cas_mismatch"
    ok = await harness.put("app/db", {"n": 3}, cas=2)
    assert ok.status_code == 200 and ok.json()["version"] == 3
    absent = await harness.put("app/other", {"n": 1}, cas=4)
    assert absent.status_code == 409 and absent.json()["code"] == "secrets.cas_mismatch"
    assert (await harness.get("app/other")).json()["code"] == "secrets.not_found"


async def test_cas_required_refuses_writes_without_cas(harness: Harness) -> None:
    await harness.put("app/db", {"n": 1})
    meta = await harness.request("PUT", "/app/db/metadata", json={"cas_required": True})
    assert meta.status_code == 200 and meta.json()["cas_required"] is True
    blind = await harness.put("app/db", {"n": 2})
    assert blind.status_code == 400 and blind.json()["code"] == "secrets.cas_required"
    assert (await harness.put("app/db", {"n": 2}, cas=1)).json()["version"] == 2


async def test_racing_writers_with_the_same_cas_exactly_one_wins(harness: Harness) -> None:
    await harness.put("app/db", {"n": 0})
    results = await asyncio.gather(
        *(harness.put("app/db", {"writer": i}, who="alice", cas=1) for i in range(8))
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [409] * 7, [r.text for r in results]
    winner = next(r for r in results if r.status_code == 200)
    assert winner.json()["version"] == 2
    metadata = (await harness.request("GET", "/app/db/metadata")).json()
    assert metadata["current_version"] == 2 and len(metadata["versions"]) == 2


async def test_racing_creators_with_cas_zero_exactly_one_wins(harness: Harness) -> None:
    results = await asyncio.gather(*(harness.put("new/path", {"i": i}, cas=0) for i in range(8)))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [409] * 7, [r.text for r in results]
    count = await harness.rows("SELECT count(*) FROM secrets_secrets WHERE path = 'new/path'")
    assert count[0][0] == 1


async def test_racing_creators_without_cas_all_write_in_sequence(harness: Harness) -> None:
    results = await asyncio.gather(*(harness.put("new/seq", {"i": i}) for i in range(6)))
    assert all(r.status_code == 200 for r in results), [r.text for r in results]
    assert sorted(r.json()["version"] for r in results) == [1, 2, 3, 4, 5, 6]
