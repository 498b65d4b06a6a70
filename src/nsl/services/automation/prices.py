"""Oracle price-condition triggers: ``above`` / ``below`` fire when a feed's latest value moves
to that side of the threshold, ``crosses`` when it changes sides (every such edge fires, up to
``max_executions``). Values come from the oracle through its client; a round's ``updated_at``
is the due time, so replicas seeing the same round queue one execution."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from nsl.core.errors import NotFound
from nsl.core.ids import new_id
from nsl.services.automation.base import AutomationBase
from nsl.services.automation.errors import InvalidInput
from nsl.services.automation.models import Job
from nsl.services.automation.repository import PENDING, AutomationRepository
from nsl.services.oracle.client import OracleClient

CONDITIONS = ("above", "below", "crosses")


def price_trigger(data: dict[str, Any]) -> dict[str, Any]:
    """The normalized trigger (the feed's existence is checked by :meth:`check_feed`)."""
    for key in data:
        if key not in ("type", "feed", "condition", "threshold"):
            raise InvalidInput.on(f"trigger.{key}", "unknown_field", "not a field of this type")
    feed = data.get("feed")
    if not isinstance(feed, str) or not 1 <= len(feed) <= 64:
        raise InvalidInput.on("trigger.feed", "required", "a feed name (e.g. NEO/USD)")
    if data.get("condition") not in CONDITIONS:
        raise InvalidInput.on("trigger.condition", "one_of", f"one of {', '.join(CONDITIONS)}")
    try:
        threshold = Decimal(str(data.get("threshold")))
    except InvalidOperation as exc:
        raise InvalidInput.on("trigger.threshold", "decimal", "a decimal number") from exc
    if not threshold.is_finite():
        raise InvalidInput.on("trigger.threshold", "decimal", "a finite decimal number")
    return {
        "type": "price",
        "feed": feed,
        "condition": data["condition"],
        "threshold": str(threshold),
    }


def side(value: Decimal, threshold: Decimal) -> str:
    return "above" if value > threshold else "below" if value < threshold else "at"


def fires(condition: str, previous: str | None, now: str) -> bool:
    if condition == "crosses":
        return previous is not None and now != previous and now != "at"
    return now == condition and previous != condition


class PriceUseCases(AutomationBase):
    async def check_feed(self, trigger: dict[str, Any]) -> None:
        """A price trigger needs the oracle in this process and an existing feed."""
        if trigger["type"] != "price":
            return
        client = OracleClient(self.ctx)
        if not client.available():
            raise InvalidInput.on("trigger.type", "available", "oracle not available here")
        try:
            await client.latest(trigger["feed"])
        except NotFound as exc:
            raise InvalidInput.on("trigger.feed", "exists", "no such oracle feed") from exc

    async def watch_prices(self, jobs: list[Job]) -> None:
        client = OracleClient(self.ctx)
        if not jobs or not client.available():
            return
        latest: dict[str, dict[str, Any] | None] = {}
        for job in jobs:
            feed = job.trigger["feed"]
            if feed not in latest:
                try:
                    latest[feed] = await client.latest(feed)
                except NotFound:
                    latest[feed] = None
            report = latest[feed]
            if report is not None:
                await self._observe(job.id, report)

    async def _observe(self, job_id: str, report: dict[str, Any]) -> None:
        now = self.ctx.clock.now()
        async with self.ctx.database.session() as session:
            repo = AutomationRepository(session)
            job = await repo.job(job_id, lock=True)
            if job is None or job.status != "active":
                return
            trigger = dict(job.trigger)
            current = side(Decimal(str(report["value"])), Decimal(trigger["threshold"]))
            previous = trigger.get("last_side")
            if current == previous:
                return
            job.trigger = {**trigger, "last_side": current}
            job.updated_at = now
            if not fires(trigger["condition"], previous, current):
                return
            due = datetime.fromisoformat(str(report["updated_at"]))
            if job.expires_at is not None and due > job.expires_at:
                job.status = "expired"
                return
            context = {"type": "price", **{k: report[k] for k in ("feed", "value", "round_id")}}
            if await repo.add_execution(**self.pending(job.id, due, now, context)):
                job.executions += 1
                if job.max_executions is not None and job.executions >= job.max_executions:
                    job.status = "completed"

    @staticmethod
    def pending(job_id: str, due: datetime, now: datetime, context: Any) -> dict[str, Any]:
        return {
            "id": new_id(),
            "job_id": job_id,
            "scheduled_for": due,
            "status": PENDING,
            "attempt": 0,
            "lease_owner": None,
            "lease_expires_at": None,
            "next_attempt_at": now,
            "dispatched_at": None,
            "started_at": None,
            "finished_at": None,
            "error": None,
            "result": None,
            "context": context,
        }
