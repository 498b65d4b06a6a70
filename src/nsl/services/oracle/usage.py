"""Per-consumer rate limits (the shared sliding-window limiter) and usage metering: calls
per principal per UTC day, counted in memory and added to ``oracle_usage`` by a task."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from nsl.core.context import ServiceContext
from nsl.core.security import Principal
from nsl.services.oracle.errors import UsageLimited
from nsl.services.oracle.repository import Duplicate, OracleRepository

WINDOW_S = 60
HISTORY_DAYS = 30


class Meter:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.pending: Counter[tuple[str, date]] = Counter()

    async def admit(self, principal: Principal) -> None:
        """Count one call; over the per-minute budget is a 429 with ``Retry-After``."""
        limit = self.ctx.settings.oracle.rate_limit_per_minute
        decision = await self.ctx.rate_limiter.hit(
            f"oracle:consumer:{principal.id}", limit, WINDOW_S
        )
        if not decision.allowed:
            raise UsageLimited(
                f"more than {limit} oracle calls per minute",
                headers={"Retry-After": str(decision.retry_after_s)},
            )
        self.pending[(principal.id, self.ctx.clock.now().date())] += 1

    async def flush(self) -> None:
        batch, self.pending = self.pending, Counter()
        for (principal_id, day), calls in batch.items():
            try:
                async with self.ctx.database.session() as session:
                    await OracleRepository(session).add_usage(principal_id, day, calls)
            except Duplicate:  # another process inserted the day's row first: now it updates
                async with self.ctx.database.session() as session:
                    await OracleRepository(session).add_usage(principal_id, day, calls)

    async def report(self, principal_id: str) -> dict[str, Any]:
        await self.flush()
        since = self.ctx.clock.now().date() - timedelta(days=HISTORY_DAYS - 1)
        async with self.ctx.database.session() as session:
            rows = await OracleRepository(session).usage(principal_id, since)
        days = [{"day": r.day.isoformat(), "calls": r.calls} for r in rows]
        return {
            "principal_id": principal_id,
            "rate_limit_per_minute": self.ctx.settings.oracle.rate_limit_per_minute,
            "days": days,
            "total": sum(d["calls"] for d in days),
        }
