"""The only place that queries the randomness tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.services.randomness.models import RandomnessRequest, RandomnessVrfKey

PENDING, FULFILLED, FAILED = "pending", "fulfilled", "failed"


class DuplicateRequest(Exception):
    """The owner already has a request with this ``request_id`` (raised out of the session)."""


class DuplicateKey(Exception):
    """Another process stored the suite's VRF key first."""


class RandomnessRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # VRF keys ---------------------------------------------------------------------------
    async def vrf_key(self, suite: str) -> RandomnessVrfKey | None:
        return await self.session.get(RandomnessVrfKey, suite)

    async def add_vrf_key(self, row: RandomnessVrfKey) -> None:
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey(row.suite) from exc

    # requests ---------------------------------------------------------------------------
    async def add_request(self, row: RandomnessRequest) -> None:
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise DuplicateRequest(row.request_id) from exc

    async def request(self, owner_id: str, request_id: str) -> RandomnessRequest | None:
        query = select(RandomnessRequest).where(
            RandomnessRequest.owner_id == owner_id, RandomnessRequest.request_id == request_id
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def request_by_id(self, row_id: str) -> RandomnessRequest | None:
        return await self.session.get(RandomnessRequest, row_id)

    async def requests(
        self, owner_id: str, status: str | None, offset: int, limit: int
    ) -> Sequence[RandomnessRequest]:
        query = (
            select(RandomnessRequest)
            .where(*_owned(owner_id, status))
            .order_by(RandomnessRequest.created_at.desc(), RandomnessRequest.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def count(self, owner_id: str, status: str | None) -> int:
        query = select(func.count()).select_from(RandomnessRequest).where(*_owned(owner_id, status))
        return int((await self.session.execute(query)).scalar_one())

    async def stale_pending(self, before: datetime, limit: int) -> Sequence[RandomnessRequest]:
        query = (
            select(RandomnessRequest)
            .where(RandomnessRequest.status == PENDING, RandomnessRequest.created_at < before)
            .order_by(RandomnessRequest.created_at)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def fulfil(
        self, row_id: str, beta: bytes, proof: bytes, values: list[int], now: datetime
    ) -> bool:
        """Store the result if the request is still pending (a concurrent fulfiller may win)."""
        result = await self.session.execute(
            update(RandomnessRequest)
            .where(RandomnessRequest.id == row_id, RandomnessRequest.status == PENDING)
            .values(
                status=FULFILLED,
                beta=beta,
                proof=proof,
                values=values,
                error=None,
                fulfilled_at=now,
                attempts=RandomnessRequest.attempts + 1,
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def note_failure(self, row_id: str, error: str, give_up: bool) -> None:
        """Count a failed attempt; ``give_up`` marks the request failed for good."""
        values: dict[str, object] = {"attempts": RandomnessRequest.attempts + 1, "error": error}
        if give_up:
            values["status"] = FAILED
        await self.session.execute(
            update(RandomnessRequest)
            .where(RandomnessRequest.id == row_id, RandomnessRequest.status == PENDING)
            .values(**values)
        )


def _owned(owner_id: str, status: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [RandomnessRequest.owner_id == owner_id]
    if status is not None:
        conditions.append(RandomnessRequest.status == status)
    return conditions
