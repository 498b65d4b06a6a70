"""Steps 2-4 of a round. The lease holder proposes the report (low median of a quorum of
valid node observations); every node checks the proposal and signs each target's message;
the lease holder finalizes once every target has a quorum of distinct valid signatures."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from nsl.core.ids import new_id
from nsl.services.oracle import reports, values, verifying
from nsl.services.oracle.models import OracleFeed, OracleObservation, OracleRound, OracleSignature
from nsl.services.oracle.nodekeys import Member
from nsl.services.oracle.repository import PROPOSED, Duplicate, OracleRepository

if TYPE_CHECKING:
    from nsl.services.oracle.base import OracleBase

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Proposal:
    answer: int
    timestamp: int
    low: int
    high: int
    observations: list[dict[str, Any]]


def _member_index(members: list[Member], public_key: bytes) -> int | None:
    for index, member in enumerate(members):
        if member.n3 == public_key:
            return index
    return None


def valid_observations(
    feed: str, round_id: int, rows: list[dict[str, Any]], members: list[Member]
) -> list[dict[str, Any]]:
    """Observations signed by distinct members of the signer set, signatures checked."""
    seen: set[int] = set()
    kept = []
    for row in rows:
        key = bytes.fromhex(row["public_key"])
        index = _member_index(members, key)
        if index is None or index in seen:
            continue
        message = reports.observation_message(
            feed, round_id, int(row["answer"]), row["timestamp"], row["node_id"]
        )
        if verifying.p256_valid(key, message, bytes.fromhex(row["signature"])):
            seen.add(index)
            kept.append(row)
    return kept


def propose(observations: list[dict[str, Any]]) -> Proposal:
    answers = [int(o["answer"]) for o in observations]
    return Proposal(
        values.low_median(answers),
        values.low_median([o["timestamp"] for o in observations]),
        min(answers),
        max(answers),
        observations,
    )


def observation_dict(row: OracleObservation) -> dict[str, Any]:
    return {
        "node_id": row.node_id,
        "public_key": row.public_key.hex(),
        "answer": row.answer,
        "timestamp": row.timestamp,
        "signature": row.signature.hex(),
        "sources": row.detail,
    }


async def try_propose(service: OracleBase, feed: OracleFeed, round_id: int) -> bool:
    ctx = service.ctx
    members, quorum = service.signers()
    async with ctx.database.session() as session:
        rows = await OracleRepository(session).observations(feed.name, round_id)
    seen = valid_observations(feed.name, round_id, [observation_dict(r) for r in rows], members)
    if len(seen) < quorum:
        oldest = min((r.created_at for r in rows), default=None)
        if oldest is not None and ctx.clock.now() - oldest > timedelta(
            seconds=service.settings.round_timeout_s
        ):
            async with ctx.database.session() as session:
                await OracleRepository(session).drop_proposal(feed.name, round_id)
        return False
    chosen = propose(seen)
    row = OracleRound(
        id=new_id(),
        feed=feed.name,
        round_id=round_id,
        status=PROPOSED,
        answer=str(chosen.answer),
        decimals=feed.decimals,
        timestamp=chosen.timestamp,
        confidence_low=values.text(values.to_value(chosen.low, feed.decimals)),
        confidence_high=values.text(values.to_value(chosen.high, feed.decimals)),
        observations=chosen.observations,
        reports=None,
        pushes=None,
        created_at=ctx.clock.now(),
        finalized_at=None,
    )
    try:
        async with ctx.database.session() as session:
            await OracleRepository(session).add_round(row)
    except Duplicate:
        return False
    return True


def proposal_problem(service: OracleBase, feed: OracleFeed, proposal: OracleRound) -> str | None:
    """Why this node will not sign the proposal (None: it will)."""
    members, quorum = service.signers()
    seen = valid_observations(feed.name, proposal.round_id, list(proposal.observations), members)
    if len(seen) < quorum or len(seen) != len(proposal.observations):
        return "bad_proposal"
    expected = propose(seen)
    if (expected.answer, expected.timestamp) != (int(proposal.answer), proposal.timestamp):
        return "bad_proposal"
    own = service.keys.own().n3_public.hex()
    mine = [o for o in proposal.observations if o["public_key"] == own]
    if mine:
        ours = int(mine[0]["answer"])
        gap = (
            abs(Decimal(ours - expected.answer)) / abs(Decimal(ours))
            if ours
            else Decimal(abs(expected.answer))
        )
        if gap > service.settings.max_spread:
            return "node_disagrees"
    return None


async def endorse(service: OracleBase, feed: OracleFeed, proposal: OracleRound) -> bool:
    """Sign every target's message for an agreed proposal; whether this node signed."""
    problem = proposal_problem(service, feed, proposal)
    if problem is not None:
        service.telemetry.refused.labels(problem).inc()
        log.warning(
            "oracle feed %s round %s: not signed (%s)", feed.name, proposal.round_id, problem
        )
        return False
    key = service.keys.own()
    signed: dict[str, Any] = {}
    for target in await service.targets():
        message = target.message(
            feed.name, proposal.round_id, int(proposal.answer), proposal.timestamp
        )
        signed[target.key] = (await reports.sign(service.ctx.enclave, key, target, message)).hex()
    row = OracleSignature(
        id=new_id(),
        round_ref=proposal.id,
        node_id=key.node_id,
        signatures=signed,
        created_at=service.ctx.clock.now(),
    )
    try:
        async with service.ctx.database.session() as session:
            await OracleRepository(session).add_signature(row)
    except Duplicate:
        return False
    return True


def collect(
    target: reports.Target, message: bytes, members: list[Member], rows: list[OracleSignature]
) -> dict[int, bytes]:
    """Valid signatures for one target by member index (a member counts once)."""
    found: dict[int, bytes] = {}
    for row in rows:
        text = row.signatures.get(target.key)
        if not isinstance(text, str):
            continue
        signature = bytes.fromhex(text)
        for index, member in enumerate(members):
            if index not in found and reports.valid(target, message, member, signature):
                found[index] = signature
                break
    return found


async def try_finalize(service: OracleBase, feed: OracleFeed, proposal: OracleRound) -> bool:
    ctx = service.ctx
    members, quorum = service.signers()
    async with ctx.database.session() as session:
        rows = list(await OracleRepository(session).signatures(proposal.id))
    built: list[dict[str, Any]] = []
    for target in await service.targets():
        message = target.message(
            feed.name, proposal.round_id, int(proposal.answer), proposal.timestamp
        )
        found = collect(target, message, members, rows)
        if len(found) < quorum:
            if ctx.clock.now() - proposal.created_at > timedelta(
                seconds=service.settings.round_timeout_s
            ):
                async with ctx.database.session() as session:
                    await OracleRepository(session).drop_proposal(feed.name, proposal.round_id)
            return False
        chosen = dict(sorted(found.items())[:quorum]) if target.chain != reports.OFFCHAIN else found
        built.append(
            {
                **target.as_dict(),
                "message": message.hex(),
                "signatures": [
                    {"signer": reports.signer_id(target.chain, members[i]), "signature": sig.hex()}
                    for i, sig in sorted(chosen.items())
                ],
                "packed": reports.packed(target, members, chosen),
            }
        )
    async with ctx.database.session() as session:
        done = await OracleRepository(session).finalize(proposal.id, built, ctx.clock.now())
    if done:
        service.telemetry.rounds.inc()
        first = min(o["timestamp"] for o in proposal.observations)
        service.telemetry.round_latency.observe(max(ctx.clock.now().timestamp() - first, 0.0))
        proposal.reports = built
    return done
