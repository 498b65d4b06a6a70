"""The only place that reads and writes the rollout tables. Every change bumps the generation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.adapters.sqlutil import insert_if_absent, upsert
from nsl.core.clock import Clock
from nsl.core.ports import Database
from nsl.runtime.rollout.models import AckRow, FlagRow, GenerationRow, RouteRow
from nsl.runtime.rollout.state import Color, Route, Snapshot, Upstream

GENERATION_ROW = 1


class RolloutRepository:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def generation(self) -> int:
        async with self._db.session() as session:
            value = await session.scalar(
                select(GenerationRow.generation).where(GenerationRow.id == GENERATION_ROW)
            )
        return int(value or 0)

    async def snapshot(self) -> Snapshot:
        async with self._db.session() as session:
            value = await session.scalar(
                select(GenerationRow.generation).where(GenerationRow.id == GENERATION_ROW)
            )
            flags = {row.service: row.enabled for row in await session.scalars(select(FlagRow))}
            routes = {row.service: _route(row) for row in await session.scalars(select(RouteRow))}
        return Snapshot(int(value or 0), flags, routes)

    async def set_flag(self, service: str, enabled: bool, by: str) -> int:
        async with self._db.session() as session:
            values = {"enabled": enabled, "updated_at": self._clock.now(), "updated_by": by}
            await upsert(session, self._db.dialect, FlagRow, {"service": service}, values)
            return await self._bump(session)

    async def set_upstream(
        self, service: str, color: Color, upstream: Upstream | None, *, activate: bool
    ) -> int:
        """Record (or clear, with ``None``) one colour's upstream; make it active when asked."""
        column = {
            f"{color}_url": upstream.url if upstream else None,
            f"{color}_version": upstream.version if upstream else None,
        }
        values: dict[str, object] = {**column, "updated_at": self._clock.now()}
        if activate:
            values["active"] = color
        async with self._db.session() as session:
            existing = await session.get(RouteRow, service, with_for_update=True)
            if existing is None:
                session.add(RouteRow(service=service, **{"active": color, **values}))
            else:
                for name, value in values.items():
                    setattr(existing, name, value)
                if existing.blue_url is None and existing.green_url is None:
                    await session.delete(existing)
            return await self._bump(session)

    async def activate(self, service: str, color: Color) -> int:
        async with self._db.session() as session:
            await session.execute(
                update(RouteRow)
                .where(RouteRow.service == service)
                .values(active=color, updated_at=self._clock.now())
            )
            return await self._bump(session)

    async def ack(self, instance_id: str, generation: int) -> None:
        async with self._db.session() as session:
            values = {"generation": generation, "seen_at": self._clock.now()}
            await upsert(session, self._db.dialect, AckRow, {"instance_id": instance_id}, values)

    async def acks_since(self, since: datetime) -> dict[str, int]:
        """Generation loaded by each gateway process heard from after ``since``."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(AckRow.instance_id, AckRow.generation).where(AckRow.seen_at >= since)
            )
            return {instance: int(generation) for instance, generation in rows.all()}

    async def forget_acks(
        self, instance_id: str | None = None, before: datetime | None = None
    ) -> None:
        async with self._db.session() as session:
            statement = delete(AckRow)
            if instance_id is not None:
                statement = statement.where(AckRow.instance_id == instance_id)
            if before is not None:
                statement = statement.where(AckRow.seen_at < before)
            await session.execute(statement)

    async def _bump(self, session: AsyncSession) -> int:
        await insert_if_absent(
            session, self._db.dialect, GenerationRow, id=GENERATION_ROW, generation=0
        )
        await session.execute(
            update(GenerationRow)
            .where(GenerationRow.id == GENERATION_ROW)
            .values(generation=GenerationRow.generation + 1)
        )
        value = await session.scalar(
            select(GenerationRow.generation).where(GenerationRow.id == GENERATION_ROW)
        )
        return int(value or 0)


def _route(row: RouteRow) -> Route:
    blue = Upstream(row.blue_url, row.blue_version) if row.blue_url else None
    green = Upstream(row.green_url, row.green_version) if row.green_url else None
    active: Color = "green" if row.active == "green" else "blue"
    return Route(row.service, active, blue, green)
