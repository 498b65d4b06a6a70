"""Password sign-in: argon2id hashes, generic failures, lockout after 5 failures for 30 minutes."""

from __future__ import annotations

from argon2 import PasswordHasher
from auth_harness import PASSWORD, Harness
from sqlalchemy import text


async def test_passwords_are_stored_as_argon2id(harness: Harness) -> None:
    record = await harness.auth.create_principal("alice", "user", ["user"], PASSWORD)
    async with harness.database.session() as session:
        stored = await session.scalar(
            text("SELECT password_hash FROM auth_principals WHERE id = :id"), {"id": record.id}
        )
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)
    assert PASSWORD not in repr(record)


async def test_unknown_user_and_wrong_password_look_the_same(harness: Harness) -> None:
    await harness.auth.create_principal("alice", "user", ["user"], PASSWORD)
    wrong = await harness.login("alice", "Wrong-Password-1!")
    unknown = await harness.login("nobody", "Wrong-Password-1!")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "auth.invalid_credentials"


async def test_five_failures_lock_for_thirty_minutes(harness: Harness) -> None:
    await harness.auth.create_principal("alice", "user", ["user"], PASSWORD)
    for _ in range(5):
        failed = await harness.login("alice", "Wrong-Password-1!")
        assert failed.json()["code"] == "auth.invalid_credentials"

    locked = await harness.login("alice")
    assert locked.status_code == 401 and locked.json()["code"] == "auth.locked"
    harness.clock.advance(30 * 60 - 1)
    assert (await harness.login("alice")).json()["code"] == "auth.locked"
    harness.clock.advance(1)
    assert (await harness.login("alice")).status_code == 200


async def test_success_resets_the_failure_count(harness: Harness) -> None:
    await harness.auth.create_principal("alice", "user", ["user"], PASSWORD)
    for _ in range(4):
        await harness.login("alice", "Wrong-Password-1!")
    assert (await harness.login("alice")).status_code == 200
    for _ in range(4):
        await harness.login("alice", "Wrong-Password-1!")
    assert (await harness.login("alice")).status_code == 200


async def test_unknown_names_lock_like_real_ones(harness: Harness) -> None:
    for _ in range(5):
        assert (await harness.login("ghost", "Wrong-Password-1!")).json()["code"] == (
            "auth.invalid_credentials"
        )
    assert (await harness.login("ghost")).json()["code"] == "auth.locked"


async def test_admin_unlock_lifts_the_lock(harness: Harness) -> None:
    alice = await harness.auth.create_principal("alice", "user", ["user"], PASSWORD)
    _, root = await harness.principal_with_key("root", ["admin"])
    for _ in range(5):
        await harness.login("alice", "Wrong-Password-1!")
    assert (await harness.login("alice")).json()["code"] == "auth.locked"
    unlocked = await harness.http.post(
        f"/api/v1/auth/principals/{alice.id}/unlock", headers={"X-API-Key": root}
    )
    assert unlocked.status_code == 200 and unlocked.json()["locked_until"] is None
    assert (await harness.login("alice")).status_code == 200


async def test_password_reset_by_admin_replaces_the_old_password(harness: Harness) -> None:
    alice = await harness.auth.create_principal("alice", "user", ["user"], PASSWORD)
    new_password = "Another-Secret-77?"
    await harness.auth.update_principal(alice.id, password=new_password)
    assert (await harness.login("alice")).status_code == 401
    assert (await harness.login("alice", new_password)).status_code == 200
