"""API keys: create (shown once), list, revoke. Only the SHA-256 of a key is ever stored.

A key may carry a subset of its principal's roles; nobody can mint a key with a role they do
not hold, and a caller who is not an admin manages only its own keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from nsl.core.errors import ValidationFailed
from nsl.core.ids import new_id
from nsl.core.security import Principal, Role
from nsl.services.auth import errors, policy
from nsl.services.auth.credentials import digest, display_prefix, new_api_key
from nsl.services.auth.models import ApiKeyRecord, PrincipalRecord
from nsl.services.auth.policy import PageRequest
from nsl.services.auth.repository import AuthRepository
from nsl.services.auth.shared import AuthCore, Page

READ_ALL = frozenset({Role.ADMIN, Role.AUDITOR})


def check_key_name(name: str) -> str:
    if not 1 <= len(name) <= 100 or not name.isprintable():
        raise ValidationFailed.on("name", "length", "1 to 100 printable characters")
    return name


class Keys(AuthCore):
    """API-key use cases (library and routes)."""

    async def create_api_key(
        self,
        principal_id: str,
        name: str,
        expires_at: datetime | None = None,
        roles: Sequence[str] | None = None,
    ) -> tuple[ApiKeyRecord, str]:
        """A new key for the principal: its record and the raw key (never retrievable again)."""
        async with self.operation("create_api_key"):
            raw = new_api_key()
            record = await self.store_key(principal_id, name, raw, expires_at, roles)
            return record, raw

    async def issue_key(
        self,
        caller: Principal,
        *,
        name: str,
        principal_id: str | None = None,
        roles: Sequence[str] | None = None,
        expires_at: datetime | None = None,
        expires_in_s: int | None = None,
    ) -> tuple[ApiKeyRecord, str]:
        """``POST /keys``: the caller's own key, or (admins) a key for another principal."""
        target = principal_id or caller.id
        if target != caller.id and Role.ADMIN not in caller.roles:
            raise errors.not_own_principal()
        if expires_at is not None and expires_in_s is not None:
            raise ValidationFailed.on(
                "expires_in_s", "exclusive", "give expires_at or expires_in_s"
            )
        if expires_in_s is not None:
            if expires_in_s < 60:
                raise ValidationFailed.on("expires_in_s", "min", "must be at least 60 seconds")
            expires_at = self.now() + timedelta(seconds=expires_in_s)
        wanted = policy.check_roles(roles) if roles is not None else None
        if target == caller.id:
            held = sorted(r.value for r in caller.roles)
            wanted = wanted if wanted is not None else held
            if not set(wanted) <= set(held):
                raise errors.role_escalation()
        return await self.create_api_key(target, name, expires_at, wanted)

    async def list_keys(self, caller: Principal, page: PageRequest) -> Page[ApiKeyRecord]:
        async with self.operation("list_keys"), self.ctx.database.session() as session:
            owner = None if caller.has_any(READ_ALL) else caller.id
            rows, total = await AuthRepository(session).keys(owner, page.offset, page.page_size)
            return Page(list(rows), total, page.page, page.page_size)

    async def revoke_key(self, caller: Principal, key_id: str) -> ApiKeyRecord:
        """``DELETE /keys/{id}``: the owner or an admin; anyone else sees a 404."""
        async with self.operation("revoke_key"):
            admin = Role.ADMIN in caller.roles
            return await self._revoke(key_id, None if admin else caller.id)

    async def revoke_api_key(self, key_id: str) -> ApiKeyRecord:
        async with self.operation("revoke_api_key"):
            return await self._revoke(key_id, None)

    async def store_key(
        self,
        principal_id: str,
        name: str,
        raw: str,
        expires_at: datetime | None,
        roles: Sequence[str] | None,
    ) -> ApiKeyRecord:
        check_key_name(name)
        now = self.now()
        if expires_at is not None and (expires_at.tzinfo is None or expires_at <= now):
            raise ValidationFailed.on(
                "expires_at", "future", "a time zone aware time in the future"
            )
        async with self.ctx.database.session() as session:
            repo = AuthRepository(session)
            principal = await self.require_principal(repo, principal_id)
            stored_roles = self._key_roles(principal, roles)
            record = ApiKeyRecord(
                id=new_id("k_"),
                principal_id=principal.id,
                name=name,
                prefix=display_prefix(raw),
                hash=digest(raw),
                roles=stored_roles,
                created_at=now,
                expires_at=expires_at,
                revoked_at=None,
                last_used_at=None,
            )
            repo.add(record)
            await self.emit(
                session, "auth.key.created", key_id=record.id, principal_id=principal.id
            )
        return record

    def _key_roles(
        self, principal: PrincipalRecord, roles: Sequence[str] | None
    ) -> list[str] | None:
        """None (all the principal's roles) or the narrower list the key is limited to."""
        if roles is None:
            return None
        wanted = policy.check_roles(roles)
        if not set(wanted) <= set(principal.roles):
            raise errors.role_escalation()
        return None if set(wanted) == set(principal.roles) else wanted

    async def _revoke(self, key_id: str, owner: str | None) -> ApiKeyRecord:
        now = self.now()
        async with self.ctx.database.session() as session:
            repo = AuthRepository(session)
            record = await repo.key(key_id)
            if record is None or (owner is not None and record.principal_id != owner):
                raise errors.key_not_found(key_id)
            if record.revoked_at is None:
                record.revoked_at = now
                await repo.revoke_refresh(now, api_key_id=record.id)
                await self.emit(
                    session, "auth.key.revoked", key_id=record.id, principal_id=record.principal_id
                )
        await self.hot.forget(None, [record.hash])
        return record
