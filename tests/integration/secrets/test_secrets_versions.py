"""Versions: write and read, ?version=N, pruning beyond max_versions, soft delete, undelete,
destroy, and the error code of each state."""

from __future__ import annotations

from secrets_harness import Harness


async def test_writes_make_versions_and_reads_return_the_data(harness: Harness) -> None:
    first = await harness.put("app/db", {"user": "app", "password": "pw-1"})
    assert first.status_code == 200
    assert first.json()["version"] == 1 and first.json()["path"] == "app/db"
    second = await harness.put("app/db", {"user": "app", "password": "pw-2", "port": 5432})
    assert second.json()["version"] == 2
    current = (await harness.get("app/db")).json()
    assert current["data"] == {"user": "app", "password": "pw-2", "port": 5432}
    assert current["version"] == 2 and current["deleted"] is False
    assert current["custom_metadata"] == {} and current["created_at"]
    old = (await harness.get("app/db", version=1)).json()
    assert old["data"] == {"user": "app", "password": "pw-1"} and old["version"] == 1


async def test_post_writes_like_put(harness: Harness) -> None:
    response = await harness.request("POST", "/app/x", json={"data": {"k": "v"}})
    assert response.status_code == 200 and response.json()["version"] == 1
    assert (await harness.get("app/x")).json()["data"] == {"k": "v"}


async def test_only_the_newest_max_versions_are_kept(harness: Harness) -> None:
    for i in range(1, 6):  # the harness keeps 3
        await harness.put("app/db", {"n": i})
    rows = await harness.rows(
        "SELECT v.version FROM secrets_versions v JOIN secrets_secrets s ON s.id = v.secret_id "
        "WHERE s.path = 'app/db' ORDER BY v.version"
    )
    assert [r[0] for r in rows] == [3, 4, 5]
    pruned = await harness.get("app/db", version=2)
    assert pruned.status_code == 404 and pruned.json()["code"] == "secrets.version_not_found"
    assert (await harness.get("app/db", version=3)).json()["data"] == {"n": 3}
    metadata = (await harness.request("GET", "/app/db/metadata")).json()
    assert [v["version"] for v in metadata["versions"]] == [3, 4, 5]
    assert metadata["oldest_version"] == 3 and metadata["current_version"] == 5


async def test_soft_delete_undelete_and_destroy(harness: Harness) -> None:
    for i in (1, 2, 3):
        await harness.put("app/db", {"n": i})
    deleted = await harness.request("DELETE", "/app/db")
    assert deleted.status_code == 204
    latest = await harness.get("app/db")
    assert latest.status_code == 404 and latest.json()["code"] == "secrets.version_deleted"
    assert (await harness.get("app/db", version=2)).json()["data"] == {"n": 2}

    restored = await harness.request("POST", "/app/db/undelete", json={"versions": [3]})
    assert restored.status_code == 200 and restored.json()["versions"] == [3]
    assert (await harness.get("app/db")).json()["data"] == {"n": 3}

    gone = await harness.request("POST", "/app/db/destroy", json={"versions": [1, 2]})
    assert gone.status_code == 200 and gone.json()["versions"] == [1, 2]
    destroyed = await harness.get("app/db", version=1)
    assert destroyed.status_code == 404 and destroyed.json()["code"] == "secrets.version_destroyed"
    rows = await harness.rows(
        "SELECT version, ciphertext, wrapped_key, destroyed FROM secrets_versions ORDER BY version"
    )
    assert [(r[0], r[1], r[2], bool(r[3])) for r in rows[:2]] == [
        (1, None, None, True),
        (2, None, None, True),
    ]
    assert rows[2][1] is not None and rows[2][2] is not None
    # a destroyed version cannot come back
    again = await harness.request("POST", "/app/db/undelete", json={"versions": [1]})
    assert again.json()["versions"] == []
    assert (await harness.get("app/db", version=1)).json()["code"] == "secrets.version_destroyed"
    metadata = (await harness.request("GET", "/app/db/metadata")).json()
    states = {v["version"]: (v["deleted"], v["destroyed"]) for v in metadata["versions"]}
    assert states == {1: (False, True), 2: (False, True), 3: (False, False)}


async def test_delete_named_versions(harness: Harness) -> None:
    for i in (1, 2, 3):
        await harness.put("app/db", {"n": i})
    response = await harness.request("DELETE", "/app/db", params={"versions": "1,2"})
    assert response.status_code == 204
    assert (await harness.get("app/db", version=1)).json()["code"] == "secrets.version_deleted"
    assert (await harness.get("app/db", version=2)).json()["code"] == "secrets.version_deleted"
    assert (await harness.get("app/db")).json()["data"] == {"n": 3}
    metadata = (await harness.request("GET", "/app/db/metadata")).json()
    assert [v["deleted"] for v in metadata["versions"]] == [True, True, False]
    assert metadata["versions"][0]["deleted_at"] is not None


async def test_writing_after_delete_makes_a_new_live_version(harness: Harness) -> None:
    await harness.put("app/db", {"n": 1})
    await harness.request("DELETE", "/app/db")
    written = await harness.put("app/db", {"n": 2})
    assert written.json()["version"] == 2
    assert (await harness.get("app/db")).json()["data"] == {"n": 2}


async def test_unknown_versions_and_paths(harness: Harness) -> None:
    assert (await harness.get("app/none")).json()["code"] == "secrets.not_found"
    await harness.put("app/db", {"n": 1})
    future = await harness.get("app/db", version=9)
    assert future.status_code == 404 and future.json()["code"] == "secrets.version_not_found"
