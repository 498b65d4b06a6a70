"""Principal administration over HTTP: role checks, pagination, validation, disable and delete."""

from __future__ import annotations

from auth_harness import PASSWORD, Harness

PRINCIPALS = "/api/v1/auth/principals"


async def test_roles_guard_the_admin_routes(harness: Harness) -> None:
    _, user = await harness.principal_with_key("plain", ["user"])
    _, auditor = await harness.principal_with_key("watcher", ["auditor"])
    body = {"name": "newbie", "roles": ["user"]}

    assert (await harness.http.post(PRINCIPALS, json=body)).status_code == 401
    denied = await harness.http.post(PRINCIPALS, json=body, headers={"X-API-Key": user})
    assert denied.status_code == 403 and denied.json()["code"] == "auth.role_required"
    assert (await harness.http.get(PRINCIPALS, headers={"X-API-Key": user})).status_code == 403
    assert (await harness.http.get(PRINCIPALS, headers={"X-API-Key": auditor})).status_code == 200
    assert (
        await harness.http.post(PRINCIPALS, json=body, headers={"X-API-Key": auditor})
    ).status_code == 403


async def test_admin_creates_reads_and_pages_principals(harness: Harness) -> None:
    _, root = await harness.principal_with_key("root", ["admin"])
    headers = {"X-API-Key": root}
    for name in ("svc-a", "svc-b", "svc-c"):
        created = await harness.http.post(
            PRINCIPALS,
            json={"name": name, "kind": "service", "roles": ["service"]},
            headers=headers,
        )
        assert created.status_code == 201 and created.json()["kind"] == "service"
    page = await harness.http.get(PRINCIPALS, params={"page": 2, "page_size": 2}, headers=headers)
    assert page.json()["total"] == 4 and page.json()["page"] == 2
    assert [p["name"] for p in page.json()["items"]] == ["svc-b", "svc-c"]

    one = page.json()["items"][0]
    fetched = await harness.http.get(f"{PRINCIPALS}/{one['id']}", headers=headers)
    assert fetched.json() == one
    missing = await harness.http.get(f"{PRINCIPALS}/p_missing", headers=headers)
    assert missing.status_code == 404 and missing.json()["code"] == "auth.principal_not_found"
    taken = await harness.http.post(PRINCIPALS, json={"name": "svc-a"}, headers=headers)
    assert taken.status_code == 409 and taken.json()["code"] == "auth.name_taken"


async def test_validation_errors_name_the_field(harness: Harness) -> None:
    _, root = await harness.principal_with_key("root", ["admin"])
    headers = {"X-API-Key": root}

    async def field_of(method: str, url: str, **kwargs: object) -> str:
        response = await harness.http.request(method, url, headers=headers, **kwargs)
        assert response.status_code == 422, response.text
        return str(response.json()["errors"][0]["field"])

    assert await field_of("POST", PRINCIPALS, json={"name": "Bad Name!"}) == "name"
    assert (
        await field_of("POST", PRINCIPALS, json={"name": "weak", "password": "short"}) == "password"
    )
    assert (
        await field_of("POST", PRINCIPALS, json={"name": "x-role", "roles": ["wizard"]})
        == "roles.0"
    )
    assert await field_of("POST", PRINCIPALS, json={"name": "extra", "colour": "red"}) == "colour"
    assert (
        await field_of(
            "POST", PRINCIPALS, json={"name": "svc", "kind": "service", "password": PASSWORD}
        )
        == "password"
    )
    assert await field_of("POST", PRINCIPALS, json={"name": "none", "roles": []}) == "roles"
    assert await field_of("GET", PRINCIPALS, params={"page_size": 501}) == "page_size"
    assert await field_of("GET", PRINCIPALS, params={"page": 0}) == "page"
    assert await field_of("POST", "/api/v1/auth/keys", json={"name": ""}) == "name"
    both = {"name": "k", "expires_in_s": 60, "expires_at": "2999-01-01T00:00:00Z"}
    assert await field_of("POST", "/api/v1/auth/keys", json=both) == "expires_in_s"
    past = {"name": "k", "expires_at": "2000-01-01T00:00:00Z"}
    assert await field_of("POST", "/api/v1/auth/keys", json=past) == "expires_at"


async def test_delete_disables_and_revokes_but_keeps_the_record(harness: Harness) -> None:
    _, root = await harness.principal_with_key("root", ["admin"])
    dev_id, dev = await harness.principal_with_key("dev", ["developer"])
    headers = {"X-API-Key": root}
    assert (await harness.http.delete(f"{PRINCIPALS}/{dev_id}", headers=headers)).status_code == 204

    record = await harness.http.get(f"{PRINCIPALS}/{dev_id}", headers=headers)
    assert record.status_code == 200 and record.json()["disabled"] is True
    keys = await harness.http.get("/api/v1/auth/keys", headers=headers)
    dev_keys = [k for k in keys.json()["items"] if k["principal_id"] == dev_id]
    assert dev_keys and all(k["revoked_at"] is not None for k in dev_keys)
    assert (
        await harness.http.get("/api/v1/auth/me", headers={"X-API-Key": dev})
    ).status_code == 401

    reenabled = await harness.http.patch(
        f"{PRINCIPALS}/{dev_id}", json={"disabled": False}, headers=headers
    )
    assert reenabled.json()["disabled"] is False
    still = await harness.http.get("/api/v1/auth/me", headers={"X-API-Key": dev})
    assert still.status_code == 401 and still.json()["code"] == "auth.revoked_api_key"


async def test_the_last_enabled_admin_cannot_be_removed(harness: Harness) -> None:
    root_id, root = await harness.principal_with_key("root", ["admin"])
    headers = {"X-API-Key": root}
    demote = await harness.http.patch(
        f"{PRINCIPALS}/{root_id}", json={"roles": ["user"]}, headers=headers
    )
    assert demote.status_code == 409 and demote.json()["code"] == "auth.last_admin"
    assert (
        await harness.http.delete(f"{PRINCIPALS}/{root_id}", headers=headers)
    ).status_code == 409

    second = await harness.auth.create_principal("root2", "user", ["admin"])
    ok = await harness.http.patch(
        f"{PRINCIPALS}/{second.id}", json={"roles": ["admin", "auditor"]}, headers=headers
    )
    assert ok.status_code == 200 and ok.json()["roles"] == ["admin", "auditor"]
    assert (
        await harness.http.delete(f"{PRINCIPALS}/{root_id}", headers=headers)
    ).status_code == 204


async def test_admin_mints_a_key_for_another_principal_within_its_roles(harness: Harness) -> None:
    _, root = await harness.principal_with_key("root", ["admin"])
    dev = await harness.auth.create_principal("dev", "user", ["developer", "user"])
    headers = {"X-API-Key": root}
    created = await harness.http.post(
        "/api/v1/auth/keys",
        json={"name": "for-dev", "principal_id": dev.id, "roles": ["user"]},
        headers=headers,
    )
    assert created.status_code == 201 and created.json()["principal_id"] == dev.id
    me = await harness.http.get("/api/v1/auth/me", headers={"X-API-Key": created.json()["key"]})
    assert me.json()["name"] == "dev" and me.json()["roles"] == ["user"]
    beyond = await harness.http.post(
        "/api/v1/auth/keys",
        json={"name": "x", "principal_id": dev.id, "roles": ["admin"]},
        headers=headers,
    )
    assert beyond.status_code == 403
