"""Sharing: read grants read, read-write grants write versions, others see nothing (404);
only the owner deletes the whole object or shares it; grants can be revoked."""

from __future__ import annotations

from storage_harness import Harness


async def _share(h: Harness, key: str, grantee: str, access: str) -> None:
    body = {"key": key, "grantee": grantee, "access": access}
    answer = await h.call("POST", "/share", json=body)
    assert answer.status_code == 201, answer.text


async def test_strangers_do_not_learn_that_an_object_exists(harness: Harness) -> None:
    h = harness
    await h.put("private", b"mine")
    for method in ("GET", "HEAD", "DELETE"):
        answer = await h.call(method, "/objects/private", "mallory", params={"owner": "alice"})
        assert answer.status_code == 404
    nothing = await h.call(
        "GET", "/objects/private", "mallory", params={"owner": "alice", "version": "9"}
    )
    assert nothing.status_code == 404
    forged = await h.call(
        "PUT", "/objects/private", "mallory", params={"owner": "alice"}, content=b"x"
    )
    assert forged.status_code == 404
    assert (await h.get("private")).content == b"mine"


async def test_a_read_grant_reads_but_does_not_write(harness: Harness) -> None:
    h = harness
    await h.put("doc", b"v1")
    await _share(h, "doc", "bob", "read")
    got = await h.call("GET", "/objects/doc", "bob", params={"owner": "alice"})
    assert got.status_code == 200 and got.content == b"v1"
    write = await h.call("PUT", "/objects/doc", "bob", params={"owner": "alice"}, content=b"v2")
    assert write.status_code == 403 and write.json()["code"] == "storage.forbidden"
    shared = await h.call("GET", "/objects", "bob", params={"shared": "true"})
    assert [(i["owner"], i["key"]) for i in shared.json()["items"]] == [("alice", "doc")]


async def test_a_read_write_grant_adds_versions_charged_to_the_owner(harness: Harness) -> None:
    h = harness
    await h.put("doc", b"v1")
    await _share(h, "doc", "bob", "read-write")
    write = await h.call("PUT", "/objects/doc", "bob", params={"owner": "alice"}, content=b"v2!")
    assert write.status_code == 201 and write.json()["version"] == 2
    assert (await h.get("doc")).content == b"v2!"
    assert (await h.call("GET", "/usage")).json()["bytes"]["used"] == 5
    assert (await h.call("GET", "/usage", "bob")).json()["bytes"]["used"] == 0
    whole = await h.call("DELETE", "/objects/doc", "bob", params={"owner": "alice"})
    assert whole.status_code == 403
    reshare = await h.call(
        "POST", "/share", "bob", json={"key": "doc", "grantee": "carol", "owner": "alice"}
    )
    assert reshare.status_code == 403


async def test_revoking_a_grant_takes_access_away(harness: Harness) -> None:
    h = harness
    await h.put("doc", b"v1")
    await _share(h, "doc", "bob", "read")
    listed = (await h.call("GET", "/share", params={"key": "doc"})).json()
    assert [(g["grantee"], g["access"]) for g in listed["items"]] == [("bob", "read")]
    gone = await h.call("DELETE", "/share", params={"key": "doc", "grantee": "bob"})
    assert gone.status_code == 204
    assert (
        await h.call("GET", "/objects/doc", "bob", params={"owner": "alice"})
    ).status_code == 404
    again = await h.call("DELETE", "/share", params={"key": "doc", "grantee": "bob"})
    assert again.status_code == 404


async def test_an_admin_reads_any_owners_object(harness: Harness) -> None:
    h = harness
    await h.put("doc", b"v1")
    got = await h.call("GET", "/objects/doc", "root", "admin", params={"owner": "alice"})
    assert got.status_code == 200 and got.content == b"v1"
    usage = await h.call("GET", "/usage", "root", "admin", params={"owner": "alice"})
    assert usage.json()["bytes"]["used"] == 2
    assert (await h.call("GET", "/usage", "bob", params={"owner": "alice"})).status_code == 403


async def test_every_access_is_audited(harness: Harness) -> None:
    h = harness
    await h.put("doc", b"v1")
    await h.get("doc")
    await h.call("HEAD", "/objects/doc")
    await h.call("GET", "/objects/doc", "mallory", params={"owner": "alice"})
    rows = await h.rows(
        "SELECT actor, action, target, outcome FROM audit_entries WHERE service = 'storage' "
        "ORDER BY seq"
    )
    assert [tuple(r) for r in rows] == [
        ("alice", "put", "object/alice/doc/v1", "ok"),
        ("alice", "get", "object/alice/doc/v1", "ok"),
        ("alice", "head", "object/alice/doc/v1", "ok"),
        ("mallory", "get", "object/alice/doc", "storage.not_found"),
    ]
