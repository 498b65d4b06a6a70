"""Principal administration: create, list, read, change roles/state/password, disable, unlock.

Any change that affects what existing credentials may do bumps the principal's token version,
revokes what it must, and drops the principal's cache entries in every process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from nsl.core.errors import ValidationFailed
from nsl.core.ids import new_id
from nsl.core.security import Principal, Role
from nsl.services.auth import errors, policy
from nsl.services.auth.models import PrincipalRecord
from nsl.services.auth.policy import PageRequest
from nsl.services.auth.repository import AuthRepository
from nsl.services.auth.shared import AuthCore, Page


@dataclass(frozen=True)
class Me:
    """The caller as ``/me`` shows it: the stored principal and how it signed in."""

    record: PrincipalRecord
    principal: Principal


class Principals(AuthCore):
    """Principal use cases (library and admin routes)."""

    async def create_principal(
        self,
        name: str,
        kind: str = "user",
        roles: Sequence[str] = (Role.USER.value,),
        password: str | None = None,
    ) -> PrincipalRecord:
        async with self.operation("create_principal"):
            policy.check_name(name)
            policy.check_kind(kind)
            role_list = policy.check_roles(roles)
            if password is not None and kind != "user":
                raise ValidationFailed.on("password", "not_allowed", "only users have passwords")
            hashed = None
            if password is not None:
                policy.check_password(password, self.auth_settings.password_min_length)
                hashed = await self.passwords.hash(password)
            now = self.now()
            record = PrincipalRecord(
                id=new_id("p_"),
                name=name,
                kind=kind,
                roles=role_list,
                password_hash=hashed,
                disabled=False,
                failed_logins=0,
                locked_until=None,
                totp_secret=None,
                totp_enabled=False,
                totp_last_step=None,
                token_version=0,
                created_at=now,
                updated_at=now,
            )
            try:
                async with self.ctx.database.session() as session:
                    repo = AuthRepository(session)
                    if await repo.principal_by_name(name) is not None:
                        raise errors.name_taken(name)
                    repo.add(record)
                    await repo.flush()
                    await self.emit(
                        session,
                        "auth.principal.created",
                        principal_id=record.id,
                        name=name,
                        kind=kind,
                        roles=role_list,
                    )
            except IntegrityError as exc:  # a concurrent create of the same name won
                raise errors.name_taken(name) from exc
            return record

    async def ensure_principal(
        self, name: str, roles: Sequence[str] = (Role.USER.value,), kind: str = "user"
    ) -> PrincipalRecord:
        """The principal called ``name``, created with ``roles`` when it does not exist yet."""
        async with self.ctx.database.session() as session:
            existing = await AuthRepository(session).principal_by_name(name)
        if existing is not None:
            return existing
        return await self.create_principal(name, kind, roles)

    async def list_principals(self, page: PageRequest) -> Page[PrincipalRecord]:
        async with self.operation("list_principals"), self.ctx.database.session() as session:
            rows, total = await AuthRepository(session).principals(page.offset, page.page_size)
            return Page(list(rows), total, page.page, page.page_size)

    async def get_principal(self, principal_id: str) -> PrincipalRecord:
        async with self.operation("get_principal"), self.ctx.database.session() as session:
            return await self.require_principal(AuthRepository(session), principal_id)

    async def describe(self, caller: Principal) -> Me:
        async with self.operation("me"), self.ctx.database.session() as session:
            return Me(await self.require_principal(AuthRepository(session), caller.id), caller)

    async def update_principal(
        self,
        principal_id: str,
        *,
        roles: Sequence[str] | None = None,
        disabled: bool | None = None,
        password: str | None = None,
    ) -> PrincipalRecord:
        """Change roles, the disabled flag and/or reset the password."""
        async with self.operation("update_principal"):
            role_list = policy.check_roles(roles) if roles is not None else None
            hashed = None
            if password is not None:
                policy.check_password(password, self.auth_settings.password_min_length)
                hashed = await self.passwords.hash(password)
            now = self.now()
            async with self.ctx.database.session() as session:
                repo = AuthRepository(session)
                record = await self.require_principal(repo, principal_id)
                if hashed is not None and record.kind != "user":
                    raise ValidationFailed.on(
                        "password", "not_allowed", "only users have passwords"
                    )
                changes = await self._apply(repo, record, role_list, disabled, hashed, now)
                hashes = await repo.key_hashes_of(record.id)
                if changes:
                    await self.emit(
                        session, "auth.principal.updated", principal_id=record.id, changes=changes
                    )
            await self.hot.forget(record.id, hashes)
            return record

    async def delete_principal(self, principal_id: str) -> PrincipalRecord:
        """Disable the principal and revoke its keys and sessions (never a hard delete)."""
        async with self.operation("delete_principal"):
            now = self.now()
            async with self.ctx.database.session() as session:
                repo = AuthRepository(session)
                record = await self.require_principal(repo, principal_id)
                await self._apply(repo, record, None, True, None, now)
                await repo.revoke_keys_of(record.id, now)
                hashes = await repo.key_hashes_of(record.id)
                await self.emit(session, "auth.principal.disabled", principal_id=record.id)
            await self.hot.forget(record.id, hashes)
            return record

    async def unlock_principal(self, principal_id: str) -> PrincipalRecord:
        async with self.operation("unlock_principal"), self.ctx.database.session() as session:
            record = await self.require_principal(AuthRepository(session), principal_id)
            record.failed_logins, record.locked_until = 0, None
            record.updated_at = self.now()
            return record

    async def _apply(
        self,
        repo: AuthRepository,
        record: PrincipalRecord,
        roles: list[str] | None,
        disabled: bool | None,
        password_hash: str | None,
        now: datetime,
    ) -> list[str]:
        changes: list[str] = []
        if roles is not None and roles != sorted(record.roles):
            changes.append("roles")
        if disabled is not None and disabled != record.disabled:
            changes.append("disabled")
        if password_hash is not None:
            changes.append("password")
        if not changes:
            return changes
        loses_admin = (roles is not None and Role.ADMIN.value not in roles) or disabled is True
        was_admin = not record.disabled and Role.ADMIN.value in record.roles
        if loses_admin and was_admin and await repo.enabled_admin_ids() == [record.id]:
            raise errors.last_admin()
        if roles is not None:
            record.roles = roles
        if disabled is not None:
            record.disabled = disabled
        if password_hash is not None:
            record.password_hash = password_hash
            record.failed_logins, record.locked_until = 0, None
        if "disabled" in changes or "password" in changes:
            await repo.revoke_refresh(now, principal_id=record.id)
        record.token_version += 1
        record.updated_at = now
        return changes
