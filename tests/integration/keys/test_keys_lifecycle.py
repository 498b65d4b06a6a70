"""Versions and rotation (with crash safety), revoke, expiry, delete / restore / destroy,
policies, ownership, usage counters, rate limits and audit entries, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from keys_harness import ALICE, AUDITOR, BOB, audit_entries, make_settings, rows, start_service
from keys_harness import stop_service as stop
from neo3.core import cryptography as neo_crypto

from nsl.core.audit import data_digest
from nsl.core.clock import ManualClock
from nsl.core.enclave import EnclaveKeyUnknown, SignAlgorithm
from nsl.core.errors import NslError
from nsl.core.metrics import Metrics
from nsl.services.keys import errors
from nsl.services.keys.models import KeyRow
from nsl.services.keys.repository import KeysRepository
from nsl.services.keys.schemas import CreateKey, SignBody, UpdateKey, VerifyBody
from nsl.services.keys.service import KeysService

DATA = b"pay 10 GAS"
DAY = 86_400


async def create(keys: KeysService, key_type: str = "secp256r1", **extra: Any) -> str:
    key = await keys.create(CreateKey(key_type=key_type, **extra), principal=ALICE)
    key_id: str = key["key_id"]
    return key_id


async def sign(keys: KeysService, key_id: str, data: bytes = DATA) -> dict[str, Any]:
    return await keys.sign(key_id, SignBody(data=data.hex()), principal=ALICE)


async def verify(keys: KeysService, key_id: str, signature: str, **extra: Any) -> dict[str, Any]:
    body = VerifyBody(data=DATA.hex(), signature=signature, **extra)
    return await keys.verify(key_id, body, principal=ALICE)


async def snapshot(keys: KeysService, key_id: str) -> KeyRow:
    async with keys.ctx.database.session() as session:
        row = await KeysRepository(session).key(key_id)
    assert row is not None
    return row


def public_of(view: dict[str, Any], version: int) -> bytes:
    return bytes.fromhex(next(v for v in view["versions"] if v["version"] == version)["public_key"])


async def test_rotation_signs_with_newest_and_verifies_old_until_minimum_raised(
    keys: KeysService,
) -> None:
    key_id = await create(keys)
    old = await sign(keys, key_id)
    rotated = await keys.rotate(key_id, principal=ALICE)
    assert rotated["version"] == 2 and [v["version"] for v in rotated["versions"]] == [1, 2]
    assert rotated["neo_address"] != rotated["versions"][0]["neo_address"]

    new = await sign(keys, key_id)
    assert new["key_version"] == 2
    assert neo_crypto.verify_signature(DATA, bytes.fromhex(new["signature"]), public_of(rotated, 2))
    assert (await verify(keys, key_id, old["signature"])) | {"valid": True} == {
        "valid": True,
        "key_version": 1,
        "scheme": "ecdsa-sha256",
    }
    assert (await verify(keys, key_id, new["signature"]))["key_version"] == 2

    await keys.update(key_id, UpdateKey(min_verify_version=2), principal=ALICE)
    refused = await verify(keys, key_id, old["signature"])
    assert refused["valid"] is False and refused["key_version"] == 1
    assert "below min_verify_version 2" in refused["reason"]
    named = await verify(keys, key_id, old["signature"], key_version=1)
    assert named["valid"] is False and "below min_verify_version" in named["reason"]
    assert (await verify(keys, key_id, new["signature"], key_version=2))["valid"] is True
    with pytest.raises(errors.InvalidInput) as caught:
        await keys.update(key_id, UpdateKey(min_verify_version=3), principal=ALICE)
    assert caught.value.fields[0].field == "min_verify_version"


async def test_crash_before_metadata_commit_leaves_the_old_version_usable(
    keys: KeysService,
) -> None:
    key_id = await create(keys)
    before = await snapshot(keys, key_id)
    # step 1 of a rotation ran (its enclave key exists), then the process died before step 2
    orphan = await keys.version_key(before)
    assert await keys.ctx.enclave.public_key(orphan.key_ref) == orphan.public_key

    signed = await sign(keys, key_id)
    assert signed["key_version"] == 1
    view = await keys.get(key_id, principal=ALICE)
    assert view["version"] == 1 and len(view["versions"]) == 1
    assert neo_crypto.verify_signature(DATA, bytes.fromhex(signed["signature"]), public_of(view, 1))

    # a later rotation goes on normally; replaying the stale step 2 writes nothing
    assert (await keys.rotate(key_id, principal=ALICE))["version"] == 2
    with pytest.raises(errors.ConcurrentChange):
        await keys.commit_version(before, orphan)
    with pytest.raises(EnclaveKeyUnknown):  # the refused version's enclave key is destroyed
        await keys.ctx.enclave.sign(orphan.key_ref, DATA, SignAlgorithm.ECDSA_SHA256)
    view = await keys.get(key_id, principal=ALICE)
    assert view["version"] == 2 and [v["version"] for v in view["versions"]] == [1, 2]
    assert (await sign(keys, key_id))["key_version"] == 2


async def test_concurrent_rotations_never_skip_or_duplicate_a_version(keys: KeysService) -> None:
    key_id = await create(keys)
    outcomes = await asyncio.gather(
        *(keys.rotate(key_id, principal=ALICE) for _ in range(3)), return_exceptions=True
    )
    assert any(isinstance(o, dict) for o in outcomes)
    assert all(isinstance(o, dict | errors.ConcurrentChange) for o in outcomes)
    view = await keys.get(key_id, principal=ALICE)
    assert [v["version"] for v in view["versions"]] == list(range(1, view["version"] + 1))
    assert (await sign(keys, key_id))["key_version"] == view["version"]


async def test_automatic_rotation_by_policy_once_across_processes(
    keys: KeysService, database: Any, tmp_path: Path, clock: ManualClock
) -> None:
    due = await create(keys, rotation_period_days=1)
    never = await create(keys, rotation_period_days=None)
    default = await keys.get(await create(keys), principal=ALICE)
    assert default["rotation_period_days"] == 90
    assert (await keys.get(never, principal=ALICE))["next_rotation_at"] is None

    other = await start_service(make_settings(tmp_path), database, clock, Metrics("t2", "t"))
    try:
        clock.advance(DAY + 1)
        await asyncio.gather(keys.run_task_once("rotate"), other.run_task_once("rotate"))
    finally:
        await stop(other)
    view = await keys.get(due, principal=ALICE)
    assert view["version"] == 2 and len(view["versions"]) == 2
    assert view["next_rotation_at"] > clock.now() + timedelta(hours=23)
    assert (await keys.get(never, principal=ALICE))["version"] == 1
    assert (await sign(keys, due))["key_version"] == 2
    entries = await audit_entries(database, f"key/{due}")
    assert ("system:keys", "auto-rotate", f"key/{due}/v2", "ok") in entries


async def test_revoked_key_refuses_every_use_with_409(keys: KeysService) -> None:
    key_id = await create(keys, usages=["sign", "verify", "encrypt", "decrypt"])
    signature = (await sign(keys, key_id))["signature"]
    with pytest.raises(errors.InvalidInput):
        await keys.revoke(key_id, "  ", principal=ALICE)
    view = await keys.revoke(key_id, "laptop stolen", principal=ALICE)
    assert view["status"] == "revoked" and view["revoked_reason"] == "laptop stolen"
    for attempt in (
        sign(keys, key_id),
        verify(keys, key_id, signature),
        keys.rotate(key_id, principal=ALICE),
        keys.revoke(key_id, "again", principal=ALICE),
    ):
        with pytest.raises(errors.KeyRevoked) as caught:
            await attempt
        assert caught.value.status == 409 and caught.value.code == "keys.revoked"


async def test_expiry_is_checked_on_use_and_recorded_by_the_task(
    keys: KeysService, clock: ManualClock
) -> None:
    key_id = await create(keys, expires_at=clock.now() + timedelta(hours=1))
    await sign(keys, key_id)
    clock.advance(2 * 3600)
    with pytest.raises(errors.KeyExpired):
        await sign(keys, key_id)
    assert (await keys.get(key_id, principal=ALICE))["status"] == "active"
    await keys.run_task_once("expire")
    assert (await keys.get(key_id, principal=ALICE))["status"] == "expired"
    with pytest.raises(errors.KeyExpired):
        await keys.rotate(key_id, principal=ALICE)


async def test_delete_restore_then_destroy_after_the_grace_period(
    keys: KeysService, clock: ManualClock, database: Any
) -> None:
    key_id = await create(keys, name="hot-wallet")
    refs = [r[0] for r in await rows(database, "SELECT enclave_ref FROM keys_versions")]
    deleted = await keys.delete(key_id, principal=ALICE)
    assert deleted["status"] == "deleted"
    assert deleted["destroy_at"] == deleted["deleted_at"] + timedelta(days=7)
    with pytest.raises(errors.KeyDeleted):
        await sign(keys, key_id)
    with pytest.raises(errors.KeyDeleted):
        await keys.delete(key_id, principal=ALICE)

    assert (await keys.restore(key_id, principal=ALICE))["status"] == "active"
    await sign(keys, key_id)
    await keys.delete(key_id, principal=ALICE)
    clock.advance(7 * DAY - 60)
    await keys.run_task_once("destroy")  # still within the grace period
    assert (await keys.get(key_id, principal=ALICE))["status"] == "deleted"

    clock.advance(120)
    await keys.run_task_once("destroy")
    view = await keys.get(key_id, principal=ALICE)
    assert view["status"] == "destroyed" and view["name"] is None
    assert all(v["destroyed"] for v in view["versions"])
    assert view["public_key"]  # metadata and public keys are kept
    with pytest.raises(EnclaveKeyUnknown):
        await keys.ctx.enclave.sign(refs[0], DATA, SignAlgorithm.ECDSA_SHA256)
    with pytest.raises(errors.NotDeleted):
        await keys.restore(key_id, principal=ALICE)
    with pytest.raises(errors.KeyDestroyed):
        await sign(keys, key_id)
    await create(keys, name="hot-wallet")  # the name is free again
    done = [(e[1], e[3]) for e in await audit_entries(database, f"key/{key_id}")]
    assert done.count(("delete", "ok")) == 2 and ("delete", "keys.deleted") in done
    assert ("restore", "ok") in done and ("destroy", "ok") in done


async def test_usage_and_policy_checks(keys: KeysService) -> None:
    verify_only = await create(keys, usages=["verify"])
    with pytest.raises(errors.UsageNotAllowed) as caught:
        await sign(keys, verify_only)
    assert caught.value.status == 400 and caught.value.code == "keys.usage_not_allowed"
    with pytest.raises(errors.InvalidInput) as bad_type:
        await create(keys, key_type="secp384r1")
    assert "secp256r1, secp256k1, ed25519" in bad_type.value.detail
    with pytest.raises(errors.InvalidInput) as bad_hex:
        await keys.sign(await create(keys), SignBody(data="xyz"), principal=ALICE)
    assert bad_hex.value.status == 400 and bad_hex.value.fields[0].field == "data"


async def test_other_principals_see_nothing_and_auditors_cannot_use_keys(
    keys: KeysService, database: Any
) -> None:
    key_id = await create(keys)
    for attempt in (
        keys.get(key_id, principal=BOB),
        keys.sign(key_id, SignBody(data="00"), principal=BOB),
        keys.rotate(key_id, principal=BOB),
        keys.delete(key_id, principal=BOB),
    ):
        with pytest.raises(errors.KeyNotFound) as caught:
            await attempt
        assert caught.value.status == 404 and caught.value.code == "keys.not_found"
    assert (await keys.list_keys(principal=BOB))["total"] == 0
    with pytest.raises(errors.RoleForbidden) as forbidden:
        await keys.create(CreateKey(key_type="ed25519"), principal=AUDITOR)
    assert forbidden.value.status == 403
    with pytest.raises(errors.RoleForbidden):
        await keys.sign(key_id, SignBody(data="00"), principal=AUDITOR)
    attempts = await rows(
        database, "SELECT action, target, outcome FROM audit_entries WHERE actor = 'p-audit'"
    )
    assert [(a, o) for a, _, o in attempts] == [
        ("create", "keys.role_forbidden"),
        ("sign", "keys.role_forbidden"),
    ]
    assert attempts[1][1] == f"key/{key_id}"


async def test_usage_counters_accumulate_in_memory_and_flush_once(
    keys: KeysService, database: Any, clock: ManualClock
) -> None:
    key_id = await create(keys)
    signature = ""
    for _ in range(3):
        signature = (await sign(keys, key_id))["signature"]
    await verify(keys, key_id, signature)
    view = await keys.get(key_id, principal=ALICE)
    assert view["usage"] | {"last_used_at": None} == {
        "sign": 3,
        "verify": 1,
        "encrypt": 0,
        "decrypt": 0,
        "last_used_at": None,
    }
    assert view["usage"]["last_used_at"] == clock.now()
    stored = "SELECT sign_count, verify_count FROM keys_keys WHERE id = :id"
    assert (await rows(database, stored, id=key_id))[0] == (0, 0)
    await keys.run_task_once("flush_usage")
    assert (await rows(database, stored, id=key_id))[0] == (3, 1)
    assert (await keys.get(key_id, principal=ALICE))["usage"]["sign"] == 3
    await sign(keys, key_id)
    await keys.stop()  # stopping flushes what is pending
    assert (await rows(database, stored, id=key_id))[0] == (4, 1)


async def test_per_key_rate_limit(keys: KeysService, clock: ManualClock) -> None:
    key_id = await create(keys, rate_limit_per_minute=2)
    await sign(keys, key_id)
    await sign(keys, key_id)
    with pytest.raises(errors.KeyRateLimited) as caught:
        await sign(keys, key_id)
    assert caught.value.status == 429 and caught.value.code == "keys.rate_limited"
    assert int(caught.value.headers["Retry-After"]) >= 1
    clock.advance(61)
    await sign(keys, key_id)
    await keys.update(key_id, UpdateKey(rate_limit_per_minute=None), principal=ALICE)
    assert (await keys.get(key_id, principal=ALICE))["rate_limit_per_minute"] == 60_000


async def test_names_limits_listing_and_updates(
    database: Any, tmp_path: Path, clock: ManualClock, metrics: Metrics
) -> None:
    keys = await start_service(
        make_settings(tmp_path, max_keys_per_owner=3), database, clock, metrics
    )
    try:
        first = await create(keys, name="a")
        with pytest.raises(errors.NameTaken):
            await create(keys, name="a")
        await create(keys, "secp256k1", name="b")
        await create(keys, "ed25519")
        with pytest.raises(errors.TooManyKeys) as full:
            await create(keys)
        assert full.value.status == 409
        live = "SELECT count(*) FROM enclave_items WHERE destroyed_at IS NULL AND purpose LIKE :p"
        assert (await rows(database, live, p="keys/%"))[0][0] == 3

        listed = await keys.list_keys(principal=ALICE, page_size=2)
        assert listed["total"] == 3 and len(listed["items"]) == 2
        k1 = await keys.list_keys(principal=ALICE, key_type="secp256k1")
        assert [k["name"] for k in k1["items"]] == ["b"]
        with pytest.raises(errors.InvalidInput):
            await keys.list_keys(principal=ALICE, status="sleeping")

        with pytest.raises(errors.NameTaken):
            await keys.update(first, UpdateKey(name="b"), principal=ALICE)
        changed = await keys.update(
            first, UpdateKey(name="c", rotation_period_days=None), principal=ALICE
        )
        assert changed["name"] == "c" and changed["next_rotation_at"] is None
    finally:
        await stop(keys)


async def test_every_operation_is_audited_with_outcome_and_data_hash(
    keys: KeysService, database: Any
) -> None:
    key_id = await create(keys)
    await sign(keys, key_id)
    await keys.revoke(key_id, "rotation drill", principal=ALICE)
    with pytest.raises(NslError):
        await sign(keys, key_id)
    entries = await audit_entries(database, f"key/{key_id}")
    assert entries == [
        ("p-alice", "create", f"key/{key_id}/v1", "ok"),
        ("p-alice", "sign", f"key/{key_id}/v1", "ok"),
        ("p-alice", "revoke", f"key/{key_id}/v1", "ok"),
        ("p-alice", "sign", f"key/{key_id}", "keys.revoked"),
    ]
    hashes = await rows(
        database,
        "SELECT data_hash FROM audit_entries WHERE action = 'sign' AND outcome = 'ok' "
        "AND target = :t",
        t=f"key/{key_id}/v1",
    )
    assert hashes == [(data_digest(DATA),)]
