"""First-start admin: created once, key file 0600, explicit keys honoured, idempotent."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from auth_harness import Harness
from sqlalchemy import text

from nsl.core.errors import NslError, ValidationFailed
from nsl.services.auth.policy import PageRequest


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_first_start_creates_an_admin_and_writes_its_key_once(harness: Harness) -> None:
    raw = await harness.auth.ensure_bootstrap_admin(harness.data_dir, None)
    assert raw is not None and raw.startswith("nsl_")
    key_file = harness.data_dir / "admin-api-key"
    assert key_file.read_text().strip() == raw and mode(key_file) == 0o600

    principal = await harness.auth.authenticate_api_key(raw)
    assert principal.name == "admin" and {r.value for r in principal.roles} == {"admin"}

    assert await harness.auth.ensure_bootstrap_admin(harness.data_dir, None) is None
    assert key_file.read_text().strip() == raw
    async with harness.database.session() as session:
        keys = await session.scalar(text("SELECT COUNT(*) FROM auth_api_keys"))
    assert keys == 1


async def test_explicit_key_is_stored_as_its_hash(harness: Harness) -> None:
    explicit = "operator-chosen-key-0123456789-abcdefghij"
    assert await harness.auth.ensure_bootstrap_admin(harness.data_dir, explicit) == explicit
    async with harness.database.session() as session:
        stored = await session.scalar(text("SELECT hash FROM auth_api_keys"))
    assert stored == hashlib.sha256(explicit.encode()).hexdigest()
    assert (await harness.auth.authenticate_api_key(explicit)).name == "admin"
    assert await harness.auth.ensure_bootstrap_admin(harness.data_dir, explicit) is None


async def test_a_new_explicit_key_is_added_when_an_admin_exists(harness: Harness) -> None:
    first = await harness.auth.ensure_bootstrap_admin(harness.data_dir, None)
    rotated = "rotated-operator-key-ZYXWVUTSRQPONMLKJIHG"
    assert await harness.auth.ensure_bootstrap_admin(harness.data_dir, rotated) == rotated
    assert first is not None
    for key in (first, rotated):
        assert (await harness.auth.authenticate_api_key(key)).name == "admin"
    assert await harness.auth.ensure_bootstrap_admin(harness.data_dir, rotated) is None


async def test_a_revoked_explicit_key_is_not_brought_back(harness: Harness) -> None:
    explicit = "operator-chosen-key-0123456789-abcdefghij"
    await harness.auth.ensure_bootstrap_admin(harness.data_dir, None)
    await harness.auth.ensure_bootstrap_admin(harness.data_dir, explicit)
    admin = await harness.auth.authenticate_api_key(explicit)
    keys = await harness.auth.list_keys(admin, PageRequest())
    bootstrap_keys = [
        k for k in keys.items if k.hash == hashlib.sha256(explicit.encode()).hexdigest()
    ]
    await harness.auth.revoke_api_key(bootstrap_keys[0].id)
    assert await harness.auth.ensure_bootstrap_admin(harness.data_dir, explicit) is None
    with pytest.raises(NslError) as refused:
        await harness.auth.authenticate_api_key(explicit)
    assert refused.value.code == "auth.revoked_api_key"


async def test_short_explicit_key_is_refused_naming_the_setting(harness: Harness) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await harness.auth.ensure_bootstrap_admin(harness.data_dir, "too-short")
    assert refused.value.fields[0].field == "bootstrap_admin_key"
    assert not (harness.data_dir / "admin-api-key").exists()
