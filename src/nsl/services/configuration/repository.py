"""The only module that queries the configuration tables."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from nsl.services.configuration.errors import ConcurrentChange
from nsl.services.configuration.models import (
    ConfigurationEntry,
    ConfigurationSchema,
    ConfigurationVersion,
)

Entry = ConfigurationEntry
Version = ConfigurationVersion
Schema = ConfigurationSchema


class ConfigurationRepository:
    """Queries on one session (one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # entries ----------------------------------------------------------------------------
    async def entry(self, environment: str, key: str, *, lock: bool = False) -> Entry | None:
        query = select(Entry).where(Entry.environment == environment, Entry.key == key)
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def entries(
        self, environment: str, prefix: str | None, offset: int = 0, limit: int | None = None
    ) -> Sequence[Entry]:
        query = (
            select(Entry)
            .where(*_in_prefix(environment, prefix))
            .order_by(Entry.key)
            .offset(offset)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def count(self, environment: str, prefix: str | None) -> int:
        query = select(func.count()).select_from(Entry).where(*_in_prefix(environment, prefix))
        return int((await self.session.execute(query)).scalar_one())

    async def remove(self, entry: Entry) -> None:
        await self.session.delete(entry)

    def add(self, row: Entry | Version | Schema) -> None:
        self.session.add(row)

    async def flush(self) -> None:
        """Write pending rows now; a row another writer just created or changed is a conflict."""
        try:
            await self.session.flush()
        except (IntegrityError, StaleDataError) as exc:
            raise ConcurrentChange(
                "another change to the same configuration was written at the same time; retry"
            ) from exc

    # versions ---------------------------------------------------------------------------
    async def last_version(self, environment: str, key: str) -> int:
        query = select(func.max(Version.version)).where(
            Version.environment == environment, Version.key == key
        )
        return int((await self.session.execute(query)).scalar_one() or 0)

    async def versions(self, environment: str, key: str, limit: int) -> Sequence[Version]:
        query = (
            select(Version)
            .where(Version.environment == environment, Version.key == key)
            .order_by(Version.version.desc())
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def prune(self, environment: str, key: str, keep: int, newest: int) -> None:
        """Delete versions older than the newest ``keep`` (versions of a key are contiguous)."""
        await self.session.execute(
            delete(Version).where(
                Version.environment == environment,
                Version.key == key,
                Version.version <= newest - keep,
            )
        )

    # schemas ----------------------------------------------------------------------------
    async def schema(self, environment: str, prefix: str) -> Schema | None:
        query = select(Schema).where(Schema.environment == environment, Schema.prefix == prefix)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def schema_for_key(self, environment: str, key: str) -> Schema | None:
        """The schema with the longest prefix of ``key``, if any."""
        prefixes = [key[:n] for n in range(1, len(key) + 1)]
        query = (
            select(Schema)
            .where(Schema.environment == environment, Schema.prefix.in_(prefixes))
            .order_by(func.length(Schema.prefix).desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def schemas(self, environment: str, offset: int, limit: int) -> Sequence[Schema]:
        query = (
            select(Schema)
            .where(Schema.environment == environment)
            .order_by(Schema.prefix)
            .offset(offset)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def count_schemas(self, environment: str) -> int:
        query = select(func.count()).select_from(Schema).where(Schema.environment == environment)
        return int((await self.session.execute(query)).scalar_one())

    async def remove_schema(self, schema: Schema) -> None:
        await self.session.delete(schema)


def _in_prefix(environment: str, prefix: str | None) -> list[ColumnElement[bool]]:
    conditions = [Entry.environment == environment]
    if prefix:
        # LIKE narrows (and is case-insensitive on SQLite); substr makes the match exact everywhere
        conditions.append(Entry.key.startswith(prefix, autoescape=True))
        conditions.append(func.substr(Entry.key, 1, len(prefix)) == prefix)
    return conditions
