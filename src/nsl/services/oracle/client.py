"""What other services use from the oracle: a feed's latest value and freshness."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from nsl.core.context import ServiceContext
from nsl.core.errors import Unavailable


@runtime_checkable
class LatestSource(Protocol):
    async def latest_report(self, name: str) -> dict[str, Any] | None: ...


class OracleClient:
    """In-process access to the oracle service (looked up at call time: it may not run here)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def available(self) -> bool:
        return isinstance(self.ctx.services.get("oracle"), LatestSource)

    async def latest(self, feed: str) -> dict[str, Any] | None:
        """``{"feed", "value" (Decimal text), "round_id", "updated_at", "stale"}``; None when
        the feed has no final round yet. An unknown feed raises ``oracle.feed_not_found``."""
        service = self.ctx.services.get("oracle")
        if not isinstance(service, LatestSource):
            raise Unavailable("the oracle does not run in this process", code="oracle.unavailable")
        report = await service.latest_report(feed)
        if report is None:
            return None
        return {key: report[key] for key in ("feed", "value", "round_id", "updated_at", "stale")}
