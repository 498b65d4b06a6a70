"""Step 1 of a round, on every node: ask the feed's sources, aggregate, refuse or decide the
round is due (deviation or heartbeat), then store this node's signed observation."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from nsl.core.enclave import SignAlgorithm
from nsl.core.ids import new_id
from nsl.services.oracle import aggregate, reports, sources, values
from nsl.services.oracle.models import OracleFeed, OracleObservation, OracleRound
from nsl.services.oracle.repository import Duplicate, OracleRepository

if TYPE_CHECKING:
    from nsl.services.oracle.base import OracleBase

log = logging.getLogger(__name__)


def bounds(service: OracleBase, feed: OracleFeed) -> aggregate.Bounds:
    settings = service.ctx.settings.oracle
    return aggregate.Bounds(
        feed.min_sources, settings.mad_k, settings.max_spread, settings.max_single_source_shift
    )


def due(feed: OracleFeed, latest: OracleRound | None, answer: int, now_s: int) -> bool:
    if latest is None or now_s - latest.timestamp >= feed.heartbeat_s:
        return True
    last = int(latest.answer)
    if last == 0:
        return answer != 0
    return Decimal(abs(answer - last)) / Decimal(abs(last)) >= Decimal(feed.deviation)


async def observe(
    service: OracleBase, feed: OracleFeed, round_id: int, latest: OracleRound | None
) -> bool:
    """Whether this node stored an observation for ``round_id``."""
    ctx, telemetry = service.ctx, service.telemetry
    answers = await sources.ask_all(service.http, feed.sources, service.secret_lookup(feed))
    result = aggregate.aggregate(answers, feed.aggregation, bounds(service, feed))
    excluded = result.excluded
    for item in excluded:
        telemetry.excluded.labels(item["reason"]).inc()
    now = ctx.clock.now()
    if isinstance(result, aggregate.Refusal):
        telemetry.refused.labels(result.reason).inc()
        refusal = {
            "reason": result.reason,
            "detail": result.detail,
            "at": int(now.timestamp()),
            "node": service.keys.own().node_id,
            "excluded": excluded,
            "used": result.used,
        }
        async with ctx.database.session() as session:
            await OracleRepository(session).set_refusal(feed.name, refusal, now)
        log.warning(
            "oracle feed %s: round refused (%s: %s)", feed.name, result.reason, result.detail
        )
        return False
    answer = values.to_answer(result.value, feed.decimals)
    timestamp = int(now.timestamp())
    if feed.last_refusal is not None:
        async with ctx.database.session() as session:
            await OracleRepository(session).set_refusal(feed.name, None, now)
    if not due(feed, latest, answer, timestamp):
        return False
    key = service.keys.own()
    message = reports.observation_message(feed.name, round_id, answer, timestamp, key.node_id)
    signature = await ctx.enclave.sign(key.n3_ref, message, SignAlgorithm.ECDSA_SHA256)
    detail: dict[str, Any] = {
        "value": values.text(result.value),
        "low": values.text(result.low),
        "high": values.text(result.high),
        "used": result.used,
        "excluded": excluded,
    }
    row = OracleObservation(
        id=new_id(),
        feed=feed.name,
        round_id=round_id,
        node_id=key.node_id,
        public_key=key.n3_public,
        answer=str(answer),
        timestamp=timestamp,
        signature=signature,
        detail=detail,
        created_at=now,
    )
    try:
        async with ctx.database.session() as session:
            await OracleRepository(session).add_observation(row)
    except Duplicate:
        return False
    return True
