"""The only place that queries the auth tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.core.security import Role
from nsl.services.auth.models import ApiKeyRecord, PrincipalRecord, RefreshTokenRecord


class AuthRepository:
    """Queries and updates on one session (the caller owns the transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, record: PrincipalRecord | ApiKeyRecord | RefreshTokenRecord) -> None:
        self.session.add(record)

    async def flush(self) -> None:
        await self.session.flush()

    # principals ------------------------------------------------------------------------
    async def principal(self, principal_id: str, *, lock: bool = False) -> PrincipalRecord | None:
        query = select(PrincipalRecord).where(PrincipalRecord.id == principal_id)
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def principal_by_name(self, name: str) -> PrincipalRecord | None:
        query = select(PrincipalRecord).where(PrincipalRecord.name == name)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def principals(self, offset: int, limit: int) -> tuple[Sequence[PrincipalRecord], int]:
        total = await self.session.scalar(select(func.count()).select_from(PrincipalRecord))
        query = (
            select(PrincipalRecord)
            .order_by(PrincipalRecord.created_at, PrincipalRecord.id)
            .offset(offset)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all(), int(total or 0)

    async def enabled_admin_ids(self) -> list[str]:
        """Ids of enabled principals holding the admin role (roles are a JSON list)."""
        query = select(PrincipalRecord.id, PrincipalRecord.roles).where(
            PrincipalRecord.disabled.is_(False)
        )
        rows = (await self.session.execute(query)).all()
        return [pid for pid, roles in rows if Role.ADMIN.value in roles]

    async def count_failure(self, principal_id: str) -> int:
        """Add one failed sign-in atomically and return the new count."""
        query = (
            update(PrincipalRecord)
            .where(PrincipalRecord.id == principal_id)
            .values(failed_logins=PrincipalRecord.failed_logins + 1)
            .returning(PrincipalRecord.failed_logins)
        )
        return int((await self.session.execute(query)).scalar_one())

    async def claim_totp_step(self, principal_id: str, step: int) -> bool:
        """Record ``step`` as used unless an equal or newer one already was (no replay)."""
        query = (
            update(PrincipalRecord)
            .where(PrincipalRecord.id == principal_id)
            .where(
                or_(PrincipalRecord.totp_last_step.is_(None), PrincipalRecord.totp_last_step < step)
            )
            .values(totp_last_step=step)
        )
        return await self._changed(query) == 1

    # API keys --------------------------------------------------------------------------
    async def key(self, key_id: str) -> ApiKeyRecord | None:
        return await self.session.get(ApiKeyRecord, key_id)

    async def key_with_principal(
        self, key_hash: str
    ) -> tuple[ApiKeyRecord, PrincipalRecord] | None:
        query = (
            select(ApiKeyRecord, PrincipalRecord)
            .join(PrincipalRecord, PrincipalRecord.id == ApiKeyRecord.principal_id)
            .where(ApiKeyRecord.hash == key_hash)
        )
        row = (await self.session.execute(query)).one_or_none()
        return (row[0], row[1]) if row is not None else None

    async def key_hash_exists(self, key_hash: str) -> bool:
        query = select(ApiKeyRecord.id).where(ApiKeyRecord.hash == key_hash)
        return (await self.session.execute(query)).first() is not None

    async def keys(
        self, principal_id: str | None, offset: int, limit: int
    ) -> tuple[Sequence[ApiKeyRecord], int]:
        count = select(func.count()).select_from(ApiKeyRecord)
        query = select(ApiKeyRecord).order_by(ApiKeyRecord.created_at, ApiKeyRecord.id)
        if principal_id is not None:
            count = count.where(ApiKeyRecord.principal_id == principal_id)
            query = query.where(ApiKeyRecord.principal_id == principal_id)
        total = await self.session.scalar(count)
        rows = (await self.session.execute(query.offset(offset).limit(limit))).scalars().all()
        return rows, int(total or 0)

    async def key_hashes_of(self, principal_id: str) -> list[str]:
        query = select(ApiKeyRecord.hash).where(ApiKeyRecord.principal_id == principal_id)
        return list((await self.session.execute(query)).scalars().all())

    async def revoke_keys_of(self, principal_id: str, now: datetime) -> None:
        await self.session.execute(
            update(ApiKeyRecord)
            .where(ApiKeyRecord.principal_id == principal_id, ApiKeyRecord.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def touch_key(self, key_id: str, now: datetime) -> None:
        query = update(ApiKeyRecord).where(ApiKeyRecord.id == key_id).values(last_used_at=now)
        await self.session.execute(query)

    # refresh tokens --------------------------------------------------------------------
    async def refresh_token(self, token_hash: str) -> RefreshTokenRecord | None:
        query = select(RefreshTokenRecord).where(RefreshTokenRecord.hash == token_hash)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def use_refresh_token(self, token_id: str, now: datetime) -> bool:
        """Mark a token used unless it already was (or was revoked): exactly one caller wins."""
        query = (
            update(RefreshTokenRecord)
            .where(
                RefreshTokenRecord.id == token_id,
                RefreshTokenRecord.used_at.is_(None),
                RefreshTokenRecord.revoked_at.is_(None),
            )
            .values(used_at=now)
        )
        return await self._changed(query) == 1

    async def revoke_refresh(
        self,
        now: datetime,
        *,
        family_id: str | None = None,
        principal_id: str | None = None,
        api_key_id: str | None = None,
    ) -> int:
        """Revoke every live refresh token of a family, a principal or an API key."""
        if family_id is None and principal_id is None and api_key_id is None:
            raise ValueError("revoke_refresh needs a family, a principal or an API key")
        query = update(RefreshTokenRecord).where(RefreshTokenRecord.revoked_at.is_(None))
        if family_id is not None:
            query = query.where(RefreshTokenRecord.family_id == family_id)
        if principal_id is not None:
            query = query.where(RefreshTokenRecord.principal_id == principal_id)
        if api_key_id is not None:
            query = query.where(RefreshTokenRecord.api_key_id == api_key_id)
        return await self._changed(query.values(revoked_at=now))

    async def _changed(self, statement: object) -> int:
        result = await self.session.execute(statement)  # type: ignore[call-overload]
        assert isinstance(result, CursorResult)
        return int(result.rowcount)
