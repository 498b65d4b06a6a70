"""Push: a finalized round goes to each configured OracleConsumer contract's ``submit(feed,
round_id, answer, timestamp, signatures)`` through the contracts service, signed (and paid
for) by a named key of the configured owner; the outcome is recorded on the round."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from nsl.chains.artifacts import load_artifact
from nsl.core.chain import NEO_N3, NEO_X, chain_name
from nsl.core.errors import NslError
from nsl.core.security import Principal, Role
from nsl.services.contracts.client import ContractsClient
from nsl.services.oracle.models import OracleRound
from nsl.services.oracle.repository import OracleRepository

if TYPE_CHECKING:
    from nsl.services.oracle.base import OracleBase

log = logging.getLogger(__name__)
METHOD = "submit"


def submit_abi(chain: str) -> list[dict[str, Any]] | None:
    """Neo X: the consumer interface (``submit`` and ``ReportAccepted``), so a consumer deployed
    by anyone can be fed; Neo N3 needs none."""
    if chain != NEO_X:
        return None
    abi = load_artifact(NEO_X, "OracleConsumer").abi
    return [e for e in abi if e.get("name") in (METHOD, "ReportAccepted")]


def submit_args(chain: str, row: OracleRound, packed: str) -> list[Any]:
    if chain == NEO_N3:
        data: Any = {"type": "ByteArray", "value": packed}
    else:
        data = "0x" + packed
    return [row.feed, row.round_id, int(row.answer), row.timestamp, data]


def _report_for(row: OracleRound, chain: str, contract: str) -> dict[str, Any] | None:
    for report in row.reports or []:
        if report["chain"] == chain and report["contract"] == contract:
            found: dict[str, Any] = report
            return found
    return None


async def push(service: OracleBase, row: OracleRound) -> list[dict[str, Any]]:
    """Submit a final round to every consumer; each outcome (or error) is kept on the round."""
    outcomes: list[dict[str, Any]] = []
    for consumer in service.settings.consumers:
        chain = chain_name(consumer.chain, "oracle.consumers.chain")
        report = _report_for(row, chain, consumer.contract)
        entry: dict[str, Any] = {"chain": chain, "contract": consumer.contract}
        if report is None or not report.get("packed"):
            entry.update(status="failed", error="no signed report for this consumer")
        else:
            owner = Principal(consumer.owner_id, "oracle", "service", frozenset({Role.SERVICE}))
            try:
                invocation = await ContractsClient(service.ctx).invoke(
                    chain,
                    consumer.contract,
                    METHOD,
                    submit_args(chain, row, report["packed"]),
                    key_id=consumer.key_id,
                    principal=owner,
                    abi=submit_abi(chain),
                )
                entry.update(
                    status=invocation.get("status"),
                    tx_hash=invocation.get("tx_hash"),
                    state=invocation.get("state"),
                )
            except NslError as exc:
                entry.update(status="failed", error=exc.code)
                log.warning(
                    "oracle push of %s round %s to %s failed: %s",
                    row.feed,
                    row.round_id,
                    chain,
                    exc.detail,
                )
        service.telemetry.pushes.labels(chain, str(entry["status"])).inc()
        outcomes.append(entry)
    if outcomes:
        async with service.ctx.database.session() as session:
            await OracleRepository(session).set_pushes(row.id, outcomes)
    return outcomes
