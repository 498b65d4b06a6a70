"""Who may do what: owners, path policies (globs, role subjects, deny wins, default deny),
404 for callers with no capability, 403 for a missing one, and the auditor and admin roles."""

from __future__ import annotations

import pytest
from secrets_harness import Harness

OPERATIONS = [
    ("GET", "/app/db", None),
    ("GET", "/app/db?version=1", None),
    ("PUT", "/app/db", {"data": {"x": "y"}}),
    ("DELETE", "/app/db", None),
    ("POST", "/app/db/undelete", {"versions": [1]}),
    ("POST", "/app/db/destroy", {"versions": [1]}),
    ("GET", "/app/db/metadata", None),
    ("PUT", "/app/db/metadata", {"max_versions": 2}),
    ("DELETE", "/app/db/metadata", None),
]


async def test_another_principal_gets_404_on_every_route(harness: Harness) -> None:
    await harness.put("app/db", {"password": "alice-only"})
    for method, url, body in OPERATIONS:
        response = await harness.request(method, url, "bob", json=body)
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["code"] == "secrets.not_found"
        assert "alice" not in response.text
    # the answer is the same as for a path nobody created
    absent = (await harness.request("GET", "/app/absent", "bob")).json()
    existing = (await harness.request("GET", "/app/db", "bob")).json()
    assert existing == {**absent, "detail": absent["detail"].replace("app/absent", "app/db")}
    assert (await harness.get("app/db")).json()["data"] == {"password": "alice-only"}
    listed = (await harness.request("GET", "", "bob")).json()
    assert listed["items"] == [] and listed["total"] == 0


async def test_an_allow_policy_grants_its_capabilities_only(harness: Harness) -> None:
    await harness.put("app/db", {"password": "pw"})
    await harness.policy("app/*", "principal:bob", "read")
    assert (await harness.get("app/db", who="bob")).json()["data"] == {"password": "pw"}
    write = await harness.put("app/db", {"password": "bob"}, who="bob")
    assert write.status_code == 403 and write.json()["code"] == "secrets.forbidden"
    meta = await harness.request("GET", "/app/db/metadata", "bob")
    assert meta.status_code == 403
    # the glob covers one segment only
    await harness.put("app/deep/db", {"password": "deep"})
    assert (await harness.get("app/deep/db", who="bob")).status_code == 404


async def test_double_star_and_role_subjects(harness: Harness) -> None:
    await harness.put("team/a/b/c", {"k": "v"})
    await harness.policy("team/**", "role:operator", "read", "list")
    as_operator = await harness.request("GET", "/team/a/b/c", "carol", "operator")
    assert as_operator.status_code == 200 and as_operator.json()["data"] == {"k": "v"}
    as_user = await harness.request("GET", "/team/a/b/c", "carol", "user")
    assert as_user.status_code == 404
    listed = (await harness.request("GET", "", "carol", "operator")).json()
    assert [i["path"] for i in listed["items"]] == ["team/a/b/c"]


async def test_deny_wins_over_allow_and_ownership(harness: Harness) -> None:
    await harness.put("prod/db", {"k": "v"})
    await harness.policy("**", "principal:bob", "read", "write")
    await harness.policy("prod/*", "principal:bob", "read", effect="deny")
    assert (await harness.get("prod/db", who="bob")).status_code == 403  # write is still granted
    await harness.policy("prod/**", "principal:alice", "read", effect="deny")
    denied_owner = await harness.get("prod/db")
    assert denied_owner.status_code == 403 and denied_owner.json()["code"] == "secrets.forbidden"
    assert (await harness.put("prod/db", {"k": "w"})).status_code == 200


async def test_a_deny_on_write_stops_creation_without_revealing_anything(harness: Harness) -> None:
    await harness.policy("locked/**", "role:user", "write", effect="deny")
    refused = await harness.put("locked/new", {"k": "v"})
    assert refused.status_code == 404 and refused.json()["code"] == "secrets.not_found"
    assert await harness.rows("SELECT id FROM secrets_secrets") == []
    assert (await harness.put("open/new", {"k": "v"})).status_code == 200


async def test_deleting_a_policy_takes_access_away(harness: Harness) -> None:
    await harness.put("app/db", {"k": "v"})
    policy_id = await harness.policy("app/db", "principal:bob", "read")
    assert (await harness.get("app/db", who="bob")).status_code == 200
    listed = (await harness.request("GET", "/_policies", "root", "admin")).json()
    assert [p["id"] for p in listed["items"]] == [policy_id] and listed["total"] == 1
    assert listed["items"][0]["capabilities"] == ["read"]
    gone = await harness.request("DELETE", f"/_policies/{policy_id}", "root", "admin")
    assert gone.status_code == 204
    assert (await harness.get("app/db", who="bob")).status_code == 404
    again = await harness.request("DELETE", f"/_policies/{policy_id}", "root", "admin")
    assert again.status_code == 404 and again.json()["code"] == "secrets.policy_not_found"


@pytest.mark.parametrize("role", ["user", "operator", "developer", "service", "auditor"])
async def test_only_admins_manage_policies(harness: Harness, role: str) -> None:
    body = {"pattern": "**", "subject": f"principal:{role}", "capabilities": ["read"]}
    created = await harness.request("POST", "/_policies", role, role, json=body)
    assert created.status_code == 403
    assert (await harness.request("GET", "/_policies", role, role)).status_code == 403


async def test_bad_policies_are_refused_naming_the_field(harness: Harness) -> None:
    cases = [
        ({"pattern": "/x", "subject": "role:user", "capabilities": ["read"]}, "pattern"),
        ({"pattern": "x", "subject": "bob", "capabilities": ["read"]}, "subject"),
        ({"pattern": "x", "subject": "role:user", "capabilities": ["sudo"]}, "capabilities[0]"),
        ({"pattern": "x", "subject": "role:user", "capabilities": []}, "capabilities"),
    ]
    for body, field in cases:
        response = await harness.request("POST", "/_policies", "root", "admin", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field
    assert await harness.rows("SELECT id FROM secrets_policies") == []


async def test_the_auditor_role_reads_no_secret(harness: Harness) -> None:
    await harness.put("app/db", {"k": "v"})
    await harness.policy("**", "role:auditor", "read", "list", "metadata")
    for method, url, body in [*OPERATIONS, ("GET", "", None)]:
        response = await harness.request(method, url, "eve", "auditor", json=body)
        assert response.status_code == 403, (method, url)
        assert response.json()["code"] == "auth.role_required"


async def test_admins_have_no_implicit_access_to_values(harness: Harness) -> None:
    await harness.put("app/db", {"k": "v"})
    assert (await harness.request("GET", "/app/db", "root", "admin")).status_code == 404


async def test_unauthenticated_calls_are_401(harness: Harness) -> None:
    response = await harness.http.get("/api/v1/secrets/app/db")
    assert response.status_code == 401
