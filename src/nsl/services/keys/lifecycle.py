"""Use cases on a key's metadata: create, read, list, update policy, rotate, revoke, delete and
restore.

Creating or rotating generates the enclave key first (committed inside the enclave), then
writes the version and its metadata in one transaction, the version bump conditional on the
version read. A crash in between leaves the old version current and usable; the orphaned
enclave key is never referenced.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from nsl.core.enclave import KeyInfo, KeyType
from nsl.core.ids import new_id
from nsl.core.security import Principal
from nsl.services.keys import rules
from nsl.services.keys.base import KeysBase
from nsl.services.keys.errors import (
    ConcurrentChange,
    InvalidInput,
    KeyNotFound,
    NameTaken,
    NotDeleted,
    TooManyKeys,
)
from nsl.services.keys.models import KeyRow, VersionRow
from nsl.services.keys.repository import KeysRepository
from nsl.services.keys.schemas import CreateKey, UpdateKey
from nsl.services.keys.views import key_view, page

log = logging.getLogger(__name__)


def next_rotation(start: datetime, period_days: int | None) -> datetime | None:
    return None if period_days is None else start + timedelta(days=period_days)


class LifecycleUseCases(KeysBase):
    async def create(self, body: CreateKey, *, principal: Principal) -> dict[str, Any]:
        key_id = new_id("key_")
        async with self.audited("create", principal, key_id) as audit:
            now = self.now()
            kind = rules.key_type(body.key_type)
            usages = rules.usages(body.usages, kind)
            name = rules.name(body.name)
            period = (
                rules.rotation_days(body.rotation_period_days)
                if "rotation_period_days" in body.model_fields_set
                else self.settings.rotation_days
            )
            expires_at = rules.expires_at(body.expires_at, now)
            rate_limit = rules.rate_limit(body.rate_limit_per_minute)
            await self._check_room(principal.id, name)
            info = await self._enclave_key(key_id, kind, body.exportable)
            audit.version = 1
            audit.details = {"key_type": kind.value, "exportable": body.exportable}
            row = KeyRow(
                id=key_id,
                owner_id=principal.id,
                name=name,
                key_type=kind.value,
                usages=usages,
                exportable=body.exportable,
                status="active",
                current_version=1,
                min_verify_version=1,
                rotation_period_days=period,
                next_rotation_at=next_rotation(now, period),
                expires_at=expires_at,
                created_at=now,
                updated_at=now,
                sign_count=0,
                verify_count=0,
                encrypt_count=0,
                decrypt_count=0,
                rate_limit_per_minute=rate_limit,
            )
            version = _version_row(key_id, 1, info, now)
            try:
                async with self.ctx.database.session() as session:
                    await KeysRepository(session).insert(row, version)
            except Exception:
                await self._forget(info)
                raise
            log.info("key %s (%s) created by %s", key_id, kind.value, principal.id)
            return key_view(row, [version], self.settings.rate_limit_per_minute, None)

    async def _check_room(self, owner_id: str, name: str | None) -> None:
        async with self.ctx.database.session() as session:
            repo = KeysRepository(session)
            if await repo.count_live(owner_id) >= self.settings.max_keys_per_owner:
                raise TooManyKeys(
                    f"you hold {self.settings.max_keys_per_owner} keys, the most allowed; "
                    "delete one first"
                )
            if name is not None and await repo.name_used(owner_id, name):
                raise NameTaken(f"you already have a key named {name!r}")

    async def get(self, key_id: str, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("get"), self.ctx.database.session() as session:
            repo = KeysRepository(session)
            row = await self._owned(repo, key_id, principal)
            versions = await repo.versions(key_id)
        default = self.settings.rate_limit_per_minute
        return key_view(row, versions, default, self.usage.pending(key_id))

    async def list_keys(
        self,
        *,
        principal: Principal,
        key_type: str | None = None,
        status: str | None = None,
        page_number: int = 1,
        page_size: int = 50,
    ) -> dict[str, Any]:
        async with self.operation("list"):
            rules.page(page_number, page_size)
            kind = rules.key_type(key_type).value if key_type is not None else None
            state = rules.status(status) if status is not None else None
            async with self.ctx.database.session() as session:
                repo = KeysRepository(session)
                total = await repo.count(principal.id, kind, state)
                rows = await repo.page(
                    principal.id, kind, state, (page_number - 1) * page_size, page_size
                )
                versions = await repo.versions_of([r.id for r in rows])
            default = self.settings.rate_limit_per_minute
            items = [key_view(r, versions[r.id], default, self.usage.pending(r.id)) for r in rows]
            return page(items, total, page_number, page_size)

    async def update(self, key_id: str, body: UpdateKey, *, principal: Principal) -> dict[str, Any]:
        async with self.audited("update", principal, key_id) as audit:
            fields = body.model_fields_set
            audit.details = {"fields": sorted(fields)}
            async with self.ctx.database.session() as session:
                repo = KeysRepository(session)
                row = await self._owned(repo, key_id, principal, lock=True)
                if row.status in ("deleted", "destroyed"):
                    self.check_state(row.status, None)
                versions = await repo.versions(key_id)
                _apply_update(row, body, fields, versions)
                row.updated_at = self.now()
                await repo.flush(row.name)
                view = key_view(
                    row, versions, self.settings.rate_limit_per_minute, self.usage.pending(key_id)
                )
            await self.invalidate(key_id)
            return view

    async def rotate(self, key_id: str, *, principal: Principal) -> dict[str, Any]:
        async with self.audited("rotate", principal, key_id) as audit:
            async with self.ctx.database.session() as session:
                row = await self._owned(KeysRepository(session), key_id, principal)
            self.check_state(row.status, row.expires_at.timestamp() if row.expires_at else None)
            audit.version = await self.rotate_row(row)
            return await self.get(key_id, principal=principal)

    async def rotate_row(self, row: KeyRow) -> int:
        """Make a new version current: enclave key first, then one conditional transaction."""
        return await self.commit_version(row, await self.version_key(row))

    async def version_key(self, row: KeyRow) -> KeyInfo:
        """Rotation step 1: the next version's key, generated (and committed) in the enclave."""
        return await self._enclave_key(row.id, KeyType(row.key_type), row.exportable)

    async def commit_version(self, row: KeyRow, info: KeyInfo) -> int:
        """Rotation step 2: the version row and the bump in one transaction, only if ``row``'s
        version is still current; otherwise nothing is written and ``info``'s key destroyed."""
        new = row.current_version + 1
        now = self.now()
        try:
            async with self.ctx.database.session() as session:
                repo = KeysRepository(session)
                bumped = await repo.bump_version(
                    row.id, row.current_version, now, next_rotation(now, row.rotation_period_days)
                )
                if not bumped:
                    raise ConcurrentChange("the key was rotated or changed meanwhile; retry")
                repo.add_version(_version_row(row.id, new, info, now))
        except Exception:
            await self._forget(info)
            raise
        await self.invalidate(row.id)
        log.info("key %s rotated to v%d", row.id, new)
        return new

    async def revoke(self, key_id: str, reason: str, *, principal: Principal) -> dict[str, Any]:
        async with self.audited("revoke", principal, key_id) as audit:
            text = rules.reason(reason)
            audit.details = {"reason": text}
            async with self.ctx.database.session() as session:
                repo = KeysRepository(session)
                row = await self._owned(repo, key_id, principal, lock=True)
                audit.version = row.current_version
                if row.status not in ("active", "expired"):
                    self.check_state(row.status, None)
                now = self.now()
                row.status, row.revoked_reason, row.revoked_at = "revoked", text, now
                row.updated_at = now
            await self.invalidate(key_id)
            return await self.get(key_id, principal=principal)

    async def delete(self, key_id: str, *, principal: Principal) -> dict[str, Any]:
        """Soft delete: unusable at once, restorable until ``destroy_at``, then destroyed."""
        async with self.audited("delete", principal, key_id) as audit:
            async with self.ctx.database.session() as session:
                row = await self._owned(KeysRepository(session), key_id, principal, lock=True)
                audit.version = row.current_version
                if row.status in ("deleted", "destroyed"):
                    self.check_state(row.status, None)
                now = self.now()
                row.status, row.deleted_at = "deleted", now
                row.destroy_at = now + timedelta(days=self.settings.deletion_grace_days)
                row.updated_at = now
            await self.invalidate(key_id)
            return await self.get(key_id, principal=principal)

    async def restore(self, key_id: str, *, principal: Principal) -> dict[str, Any]:
        """Undo a delete within the grace period: back to revoked, expired or active."""
        async with self.audited("restore", principal, key_id) as audit:
            async with self.ctx.database.session() as session:
                row = await self._owned(KeysRepository(session), key_id, principal, lock=True)
                audit.version = row.current_version
                if row.status != "deleted":
                    raise NotDeleted(f"the key is {row.status}, not deleted")
                now = self.now()
                if row.revoked_at is not None:
                    row.status = "revoked"
                elif row.expires_at is not None and row.expires_at <= now:
                    row.status = "expired"
                else:
                    row.status = "active"
                row.deleted_at = row.destroy_at = None
                row.updated_at = now
            await self.invalidate(key_id)
            return await self.get(key_id, principal=principal)

    # helpers ----------------------------------------------------------------------------
    async def _owned(
        self, repo: KeysRepository, key_id: str, principal: Principal, *, lock: bool = False
    ) -> KeyRow:
        row = await repo.key(key_id, lock=lock)
        if row is None or row.owner_id != principal.id:
            raise KeyNotFound(f"no key {key_id!r}")
        return row

    async def _enclave_key(self, key_id: str, kind: KeyType, exportable: bool) -> KeyInfo:
        return await self.ctx.enclave.generate_key(
            kind, purpose=f"keys/{key_id}", exportable=exportable
        )

    async def _forget(self, info: KeyInfo) -> None:
        """Destroy an enclave key whose metadata was not written (nothing refers to it)."""
        try:
            await self.ctx.enclave.destroy_key(info.key_ref)
        except Exception as exc:  # noqa: BLE001 - cleanup must not hide the failure being raised
            log.warning("unreferenced enclave key %s not destroyed: %s", info.key_ref, exc)


def _version_row(key_id: str, number: int, info: KeyInfo, now: datetime) -> VersionRow:
    return VersionRow(
        key_id=key_id,
        version=number,
        enclave_ref=info.key_ref,
        public_key=info.public_key,
        created_at=now,
        destroyed=False,
    )


def _apply_update(
    row: KeyRow, body: UpdateKey, fields: set[str], versions: Sequence[VersionRow]
) -> None:
    if "name" in fields:
        row.name = rules.name(body.name)
    if "min_verify_version" in fields:
        minimum = body.min_verify_version
        if minimum is None or not 1 <= minimum <= row.current_version:
            raise InvalidInput.on(
                "min_verify_version", "range", f"1 to the current version {row.current_version}"
            )
        row.min_verify_version = minimum
    if "rotation_period_days" in fields:
        row.rotation_period_days = rules.rotation_days(body.rotation_period_days)
        current = next(v for v in versions if v.version == row.current_version)
        row.next_rotation_at = next_rotation(current.created_at, row.rotation_period_days)
    if "rate_limit_per_minute" in fields:
        row.rate_limit_per_minute = rules.rate_limit(body.rate_limit_per_minute)
