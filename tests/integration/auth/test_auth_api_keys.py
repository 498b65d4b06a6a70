"""API keys over HTTP: shown once, stored as a hash, revocable, expiring, owner-scoped."""

from __future__ import annotations

import hashlib
from typing import Any

from auth_harness import Harness
from sqlalchemy import event, text

KEYS = "/api/v1/auth/keys"
ME = "/api/v1/auth/me"


async def rows(h: Harness, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with h.database.session() as session:
        result = await session.execute(text(sql), params)
        return [dict(r) for r in result.mappings().all()]


async def test_key_is_shown_once_and_only_its_hash_is_stored(harness: Harness) -> None:
    _, admin_key = await harness.principal_with_key("root", ["admin"])
    created = await harness.http.post(KEYS, json={"name": "ci"}, headers={"X-API-Key": admin_key})
    assert created.status_code == 201
    body = created.json()
    raw = body["key"]
    assert raw.startswith("nsl_") and len(raw.split("_", 2)[2]) == 43
    assert body["prefix"] == raw[:12]

    stored = await rows(harness, "SELECT * FROM auth_api_keys WHERE id = :id", id=body["id"])
    assert stored[0]["hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert all(raw not in str(value) for value in stored[0].values())

    listing = await harness.http.get(KEYS, headers={"X-API-Key": admin_key})
    assert listing.status_code == 200
    assert raw not in listing.text and "hash" not in listing.json()["items"][0]
    me = await harness.http.get(ME, headers={"X-API-Key": raw})
    assert me.json()["method"] == "api_key" and me.json()["roles"] == ["admin"]


async def test_revoked_key_is_refused_at_once_even_after_being_cached(harness: Harness) -> None:
    _, raw = await harness.principal_with_key("alice", ["developer"])
    assert (await harness.http.get(ME, headers={"X-API-Key": raw})).status_code == 200
    key_id = (await harness.http.get(KEYS, headers={"X-API-Key": raw})).json()["items"][0]["id"]

    assert (
        await harness.http.delete(f"{KEYS}/{key_id}", headers={"X-API-Key": raw})
    ).status_code == 204
    refused = await harness.http.get(ME, headers={"X-API-Key": raw})
    assert refused.status_code == 401 and refused.json()["code"] == "auth.revoked_api_key"
    events = await rows(
        harness, "SELECT topic, payload FROM core_outbox WHERE topic = 'auth.key.revoked'"
    )
    assert len(events) == 1 and key_id in str(events[0]["payload"])


async def test_expired_key_is_refused(harness: Harness) -> None:
    _admin_id, admin_key = await harness.principal_with_key("root", ["admin"])
    created = await harness.http.post(
        KEYS, json={"name": "short", "expires_in_s": 3600}, headers={"X-API-Key": admin_key}
    )
    raw = created.json()["key"]
    assert (await harness.http.get(ME, headers={"X-API-Key": raw})).status_code == 200
    harness.clock.advance(3601)
    refused = await harness.http.get(ME, headers={"X-API-Key": raw})
    assert refused.status_code == 401 and refused.json()["code"] == "auth.expired_api_key"


async def test_unknown_key_is_refused(harness: Harness) -> None:
    refused = await harness.http.get(ME, headers={"X-API-Key": "nsl_00000000_" + "x" * 43})
    assert refused.status_code == 401 and refused.json()["code"] == "auth.invalid_api_key"


async def test_another_owners_key_is_not_found_but_an_admin_may_revoke_it(harness: Harness) -> None:
    _, alice = await harness.principal_with_key("alice", ["developer"])
    _, bob = await harness.principal_with_key("bob", ["developer"])
    _, root = await harness.principal_with_key("root", ["admin"])
    bob_key = (await harness.http.get(KEYS, headers={"X-API-Key": bob})).json()["items"][0]["id"]

    alice_view = await harness.http.get(KEYS, headers={"X-API-Key": alice})
    assert [k["id"] for k in alice_view.json()["items"]] != [bob_key]
    attempt = await harness.http.delete(f"{KEYS}/{bob_key}", headers={"X-API-Key": alice})
    assert attempt.status_code == 404
    assert (await harness.http.get(ME, headers={"X-API-Key": bob})).status_code == 200

    assert (await harness.http.get(KEYS, headers={"X-API-Key": root})).json()["total"] == 3
    assert (
        await harness.http.delete(f"{KEYS}/{bob_key}", headers={"X-API-Key": root})
    ).status_code == 204
    assert (await harness.http.get(ME, headers={"X-API-Key": bob})).status_code == 401


async def test_non_admin_cannot_mint_keys_for_others_or_with_more_roles(harness: Harness) -> None:
    _, dev = await harness.principal_with_key("dev", ["developer", "user"])
    other = await harness.auth.create_principal("other", "user", ["user"])
    for_other = await harness.http.post(
        KEYS, json={"name": "x", "principal_id": other.id}, headers={"X-API-Key": dev}
    )
    assert for_other.status_code == 403
    escalate = await harness.http.post(
        KEYS, json={"name": "x", "roles": ["admin"]}, headers={"X-API-Key": dev}
    )
    assert escalate.status_code == 403 and escalate.json()["code"] == "auth.role_escalation"

    narrow = await harness.http.post(
        KEYS, json={"name": "ro", "roles": ["user"]}, headers={"X-API-Key": dev}
    )
    narrow_key = narrow.json()["key"]
    me = await harness.http.get(ME, headers={"X-API-Key": narrow_key})
    assert me.json()["roles"] == ["user"]
    # a narrowed key cannot mint a wider one for its own principal
    wider = await harness.http.post(
        KEYS, json={"name": "w", "roles": ["developer"]}, headers={"X-API-Key": narrow_key}
    )
    assert wider.status_code == 403


async def test_disabling_a_principal_stops_its_cached_key_at_once(harness: Harness) -> None:
    _, root = await harness.principal_with_key("root", ["admin"])
    dev_id, dev = await harness.principal_with_key("dev", ["developer"])
    assert (await harness.http.get(ME, headers={"X-API-Key": dev})).status_code == 200
    patched = await harness.http.patch(
        f"/api/v1/auth/principals/{dev_id}", json={"disabled": True}, headers={"X-API-Key": root}
    )
    assert patched.status_code == 200 and patched.json()["disabled"] is True
    refused = await harness.http.get(ME, headers={"X-API-Key": dev})
    assert refused.status_code == 401 and refused.json()["code"] == "auth.principal_disabled"


async def test_cached_key_lookups_do_not_touch_the_database(harness: Harness) -> None:
    _, raw = await harness.principal_with_key("dev", ["developer"])
    await harness.auth.authenticate_api_key(raw)
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    engine = harness.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        for _ in range(20):
            principal = await harness.auth.authenticate_api_key(raw)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert principal.name == "dev" and statements == []
    harness.clock.advance(harness.auth.auth_settings.api_key_cache_s + 1)
    stored = await rows(harness, "SELECT last_used_at FROM auth_api_keys")
    assert stored[0]["last_used_at"] is not None
