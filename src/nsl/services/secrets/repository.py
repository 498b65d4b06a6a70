"""The only module that queries the secrets tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Delete,
    Result,
    Update,
    and_,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.services.secrets.errors import ConcurrentChange
from nsl.services.secrets.models import (
    SecretPolicyRecord,
    SecretRecord,
    SecretVersionRecord,
)

Secret = SecretRecord
Version = SecretVersionRecord
Policy = SecretPolicyRecord


class SecretsRepository:
    """Queries on one session (one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # secrets ----------------------------------------------------------------------------
    async def secret(self, path: str, *, lock: bool = False) -> Secret | None:
        query = select(Secret).where(Secret.path == path)
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def count_owned(self, owner_id: str) -> int:
        query = select(func.count()).select_from(Secret).where(Secret.owner_id == owner_id)
        return int((await self.session.execute(query)).scalar_one())

    async def listing(self, prefix: str, owner_id: str | None) -> Sequence[Secret]:
        """Secrets under ``prefix`` by path (only ``owner_id``'s when given)."""
        conditions = _in_prefix(prefix)
        if owner_id is not None:
            conditions.append(Secret.owner_id == owner_id)
        query = select(Secret).where(*conditions).order_by(Secret.path)
        return (await self.session.execute(query)).scalars().all()

    def add(self, row: Secret | Version | Policy) -> None:
        self.session.add(row)

    async def flush(self) -> None:
        """Write pending rows now; a path another writer just created is a conflict."""
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise ConcurrentChange(
                "another writer created or changed the same secret at the same time; retry"
            ) from exc

    async def remove_secret(self, secret: Secret) -> None:
        await self.erase(delete(Version).where(Version.secret_id == secret.id))
        await self.session.delete(secret)
        await self.session.flush()

    # versions ---------------------------------------------------------------------------
    async def version(self, secret_id: str, version: int, *, lock: bool = False) -> Version | None:
        query = select(Version).where(Version.secret_id == secret_id, Version.version == version)
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def versions(self, secret_id: str, numbers: list[int] | None = None) -> Sequence[Version]:
        """A secret's versions, oldest first (only ``numbers`` when given)."""
        query = select(Version).where(Version.secret_id == secret_id)
        if numbers is not None:
            query = query.where(Version.version.in_(numbers))
        query = query.order_by(Version.version)
        return (await self.session.execute(query)).scalars().all()

    async def set_deleted(
        self, secret_id: str, numbers: list[int], deleted_at: datetime | None
    ) -> list[int]:
        """Soft-delete (a time) or undelete (None) live versions; returns the changed ones."""
        state = Version.deleted_at.is_(None) if deleted_at else Version.deleted_at.is_not(None)
        query = (
            update(Version)
            .where(
                Version.secret_id == secret_id,
                Version.version.in_(numbers),
                Version.destroyed.is_(False),
                state,
            )
            .values(deleted_at=deleted_at)
            .returning(Version.version)
        )
        return sorted((await self.session.execute(query)).scalars().all())

    async def destroy(self, secret_id: str, numbers: list[int]) -> list[int]:
        """Erase the ciphertext and wrapped key of versions; returns the changed ones."""
        query = (
            update(Version)
            .where(
                Version.secret_id == secret_id,
                Version.version.in_(numbers),
                Version.destroyed.is_(False),
            )
            .values(ciphertext=None, wrapped_key=None, destroyed=True)
            .returning(Version.version)
        )
        return sorted((await self.erase(query)).scalars().all())

    async def prune(self, secret_id: str, keep: int, newest: int) -> None:
        """Remove versions older than the newest ``keep``."""
        await self.erase(
            delete(Version).where(Version.secret_id == secret_id, Version.version <= newest - keep)
        )

    async def erase(self, statement: Delete | Update) -> Result[Any]:
        """Run a statement that drops secret material, overwriting the freed space on SQLite
        (``secure_delete``)."""
        await self._secure(True)
        try:
            return await self.session.execute(statement)
        finally:
            await self._secure(False)

    async def _secure(self, on: bool) -> None:
        if self.session.get_bind().dialect.name == "sqlite":
            await self.session.execute(text(f"PRAGMA secure_delete = {'ON' if on else 'OFF'}"))

    # rotation ---------------------------------------------------------------------------
    async def due_for_rotation(self, now: datetime, limit: int) -> Sequence[Secret]:
        """Secrets whose live current version is past its rotation date and not yet announced."""
        query = (
            select(Secret)
            .join(Version, _current_version())
            .where(
                Secret.rotation_due_at <= now,
                Secret.rotation_announced_version < Secret.current_version,
                Version.deleted_at.is_(None),
                Version.destroyed.is_(False),
            )
            .order_by(Secret.rotation_due_at)
            .limit(limit)
            .with_for_update(of=Secret, skip_locked=True)
        )
        return (await self.session.execute(query)).scalars().all()

    async def count_due(self, now: datetime) -> int:
        query = (
            select(func.count())
            .select_from(Secret)
            .join(Version, _current_version())
            .where(
                Secret.rotation_due_at <= now,
                Version.deleted_at.is_(None),
                Version.destroyed.is_(False),
            )
        )
        return int((await self.session.execute(query)).scalar_one())

    # policies ---------------------------------------------------------------------------
    async def policies_for(self, subjects: list[str]) -> Sequence[Policy]:
        query = select(Policy).where(Policy.subject.in_(subjects))
        return (await self.session.execute(query)).scalars().all()

    async def policies(self, offset: int, limit: int) -> Sequence[Policy]:
        query = select(Policy).order_by(Policy.created_at, Policy.id).offset(offset).limit(limit)
        return (await self.session.execute(query)).scalars().all()

    async def count_policies(self) -> int:
        return int(
            (await self.session.execute(select(func.count()).select_from(Policy))).scalar_one()
        )

    async def policy(self, policy_id: str) -> Policy | None:
        return await self.session.get(Policy, policy_id)

    async def remove_policy(self, policy: Policy) -> None:
        await self.session.delete(policy)

    # keyring ----------------------------------------------------------------------------


def _current_version() -> ColumnElement[bool]:
    return and_(Version.secret_id == Secret.id, Version.version == Secret.current_version)


def _in_prefix(prefix: str) -> list[ColumnElement[bool]]:
    if not prefix:
        return []
    # LIKE narrows (and is case-insensitive on SQLite); substr makes the match exact everywhere
    return [
        Secret.path.startswith(prefix, autoescape=True),
        func.substr(Secret.path, 1, len(prefix)) == prefix,
    ]
