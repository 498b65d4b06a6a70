"""The only place that queries the oracle tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.services.oracle.models import (
    OracleFeed,
    OracleObservation,
    OracleRequest,
    OracleRound,
    OracleSignature,
    OracleUsage,
)

PROPOSED, FINAL = "proposed", "final"


class Duplicate(Exception):
    """The row exists already (another node or request came first)."""


class OracleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _add(self, row: object) -> None:
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise Duplicate(type(row).__name__) from exc

    # feeds ------------------------------------------------------------------------------
    async def add_feed(self, row: OracleFeed) -> None:
        await self._add(row)

    async def feed(self, name: str) -> OracleFeed | None:
        return await self.session.get(OracleFeed, name)

    async def feeds(self, offset: int, limit: int) -> Sequence[OracleFeed]:
        query = select(OracleFeed).order_by(OracleFeed.name).offset(offset).limit(limit)
        return (await self.session.execute(query)).scalars().all()

    async def count_feeds(self) -> int:
        return int(
            (await self.session.execute(select(func.count()).select_from(OracleFeed))).scalar_one()
        )

    async def active_feeds(self) -> Sequence[OracleFeed]:
        query = select(OracleFeed).where(OracleFeed.status == "active").order_by(OracleFeed.name)
        return (await self.session.execute(query)).scalars().all()

    async def set_refusal(self, name: str, refusal: dict[str, Any] | None, now: datetime) -> None:
        await self.session.execute(
            update(OracleFeed)
            .where(OracleFeed.name == name)
            .values(last_refusal=refusal, updated_at=now)
        )

    # rounds -----------------------------------------------------------------------------
    async def latest_final(self, feed: str) -> OracleRound | None:
        query = (
            select(OracleRound)
            .where(OracleRound.feed == feed, OracleRound.status == FINAL)
            .order_by(OracleRound.round_id.desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def round(self, feed: str, round_id: int) -> OracleRound | None:
        query = select(OracleRound).where(
            OracleRound.feed == feed, OracleRound.round_id == round_id
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def rounds(self, feed: str, offset: int, limit: int) -> Sequence[OracleRound]:
        query = (
            select(OracleRound)
            .where(OracleRound.feed == feed, OracleRound.status == FINAL)
            .order_by(OracleRound.round_id.desc())
            .offset(offset)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def count_rounds(self, feed: str) -> int:
        query = (
            select(func.count())
            .select_from(OracleRound)
            .where(OracleRound.feed == feed, OracleRound.status == FINAL)
        )
        return int((await self.session.execute(query)).scalar_one())

    async def add_round(self, row: OracleRound) -> None:
        await self._add(row)

    async def finalize(self, round_ref: str, reports: list[Any], now: datetime) -> bool:
        result = await self.session.execute(
            update(OracleRound)
            .where(OracleRound.id == round_ref, OracleRound.status == PROPOSED)
            .values(status=FINAL, reports=reports, finalized_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def set_pushes(self, round_ref: str, pushes: list[Any]) -> None:
        await self.session.execute(
            update(OracleRound).where(OracleRound.id == round_ref).values(pushes=pushes)
        )

    async def drop_proposal(self, feed: str, round_id: int) -> None:
        """Forget an unfinished round (no quorum in time): proposal, signatures, observations."""
        found = await self.round(feed, round_id)
        if found is not None and found.status == PROPOSED:
            await self.session.execute(
                delete(OracleSignature).where(OracleSignature.round_ref == found.id)
            )
            await self.session.execute(delete(OracleRound).where(OracleRound.id == found.id))
        await self.session.execute(
            delete(OracleObservation).where(
                OracleObservation.feed == feed, OracleObservation.round_id == round_id
            )
        )

    # observations and signatures --------------------------------------------------------
    async def add_observation(self, row: OracleObservation) -> None:
        await self._add(row)

    async def observations(self, feed: str, round_id: int) -> Sequence[OracleObservation]:
        query = (
            select(OracleObservation)
            .where(OracleObservation.feed == feed, OracleObservation.round_id == round_id)
            .order_by(OracleObservation.created_at, OracleObservation.node_id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def add_signature(self, row: OracleSignature) -> None:
        await self._add(row)

    async def signatures(self, round_ref: str) -> Sequence[OracleSignature]:
        query = select(OracleSignature).where(OracleSignature.round_ref == round_ref)
        return (await self.session.execute(query)).scalars().all()

    # requests and usage -----------------------------------------------------------------
    async def add_request(self, row: OracleRequest) -> None:
        await self._add(row)

    async def request(self, request_id: str) -> OracleRequest | None:
        return await self.session.get(OracleRequest, request_id)

    async def usage(self, principal_id: str, since: date) -> Sequence[OracleUsage]:
        query = (
            select(OracleUsage)
            .where(OracleUsage.principal_id == principal_id, OracleUsage.day >= since)
            .order_by(OracleUsage.day.desc())
        )
        return (await self.session.execute(query)).scalars().all()

    async def add_usage(self, principal_id: str, day: date, calls: int) -> None:
        result = await self.session.execute(
            update(OracleUsage)
            .where(OracleUsage.principal_id == principal_id, OracleUsage.day == day)
            .values(calls=OracleUsage.calls + calls)
        )
        if not getattr(result, "rowcount", 0):
            await self._add(OracleUsage(principal_id=principal_id, day=day, calls=calls))
