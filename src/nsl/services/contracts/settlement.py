"""Settling ``unconfirmed`` records: a periodic task asks the chain what became of each sent
transaction and records it in place (``succeeded``/``failed`` with its block), or ``failed``
("expired: never included") once it can no longer land.

Expired means: the chain says its validity passed (Neo N3 valid-until block, Neo X nonce used
by another transaction), or it has no deadline of its own (Neo X) and is older than
``contracts.unconfirmed_expiry_s``. Each row is updated in its own transaction, and only while
it is still ``unconfirmed``.
"""

from __future__ import annotations

import logging
from typing import Any

from prometheus_client import Counter

from nsl.core.chain import NEO_X, Chain, ChainUnavailable, Validity
from nsl.core.errors import NslError
from nsl.core.metrics import Metrics
from nsl.services.contracts import outcomes
from nsl.services.contracts.base import ContractsBase
from nsl.services.contracts.models import DeploymentRow, InvocationRow
from nsl.services.contracts.repository import ContractsRepository, Row

log = logging.getLogger(__name__)

SETTLE_TASK = "settle-unconfirmed"


def settled_counter(metrics: Metrics) -> Counter:
    """``nsl_contracts_settled_total{chain, outcome}`` on this process's registry."""
    return metrics.family(
        "contracts.settled",
        lambda registry: Counter(
            "nsl_contracts_settled_total",
            "Unconfirmed transactions settled, by chain and outcome (succeeded|failed|expired).",
            ["chain", "outcome"],
            registry=registry,
        ),
    )


class SettlementUseCases(ContractsBase):
    async def settle_unconfirmed(self) -> int:
        """Settle one batch of unconfirmed records, oldest first; how many were settled.

        A chain that is unavailable is skipped for the rest of the round; a row the chain
        refuses to answer for is passed over. Either is raised once the round is done, so the
        task's health shows it."""
        async with self.operation("settle_unconfirmed"):
            scopes = [(chain.name, chain.network) for chain in self.ctx.chains.all()]
            batch = self.ctx.settings.contracts.settle_batch
            async with self.ctx.database.session() as session:
                rows = await ContractsRepository(session).unconfirmed(scopes, batch)
            settled, down, errors = 0, set[str](), list[NslError]()
            for row in rows:
                if row.chain in down:
                    continue
                try:
                    settled += await self._settle(row)
                except NslError as exc:
                    if isinstance(exc, ChainUnavailable):
                        down.add(row.chain)
                    log.warning("settling %s %s failed: %s", row.chain, row.id, exc.code)
                    errors.append(exc)
            if errors:
                raise errors[0]
            return settled

    async def _settle(self, row: Row) -> bool:
        chain = self.chain(row.chain)
        tx_hash = str(row.tx_hash)
        abi = await self._abi(chain, row)
        found = await chain.transaction(tx_hash, abi=abi)
        if found is None and await self._expired(chain, row):
            found = await chain.transaction(tx_hash, abi=abi)  # it may have landed meanwhile
            if found is None:
                return await self._record(row, outcomes.expired(tx_hash), "expired")
        if found is None:
            return False
        landing = outcomes.included(found)
        return await self._record(row, landing, landing.status)

    async def _expired(self, chain: Chain, row: Row) -> bool:
        validity = Validity.from_json(row.validity)
        if await chain.expired(validity):
            return True
        if validity.valid_until_block is not None:
            return False  # a deadline of its own (Neo N3) decides alone
        age = (self.ctx.clock.now() - row.created_at).total_seconds()
        return age > self.ctx.settings.contracts.unconfirmed_expiry_s

    async def _abi(self, chain: Chain, row: Row) -> list[dict[str, Any]] | None:
        """Neo X: the ABI that names the events (a deployment's own, else that of the newest
        recorded deployment of the invoked contract)."""
        if chain.name != NEO_X:
            return None
        if isinstance(row, DeploymentRow):
            return row.abi
        return await self.known_abi(row.chain, row.network, row.contract)

    async def _record(self, row: Row, landing: outcomes.Landing, outcome: str) -> bool:
        values: dict[str, Any] = {
            "block_number": landing.block_number,
            "block_hash": landing.block_hash,
            "state": landing.state,
            "status": landing.status,
            "gas_consumed": landing.gas_consumed,
            "fee": None if landing.fee is None else str(landing.fee),
            "error": landing.error,
        }
        if isinstance(row, InvocationRow):
            values["events"] = landing.events
        elif landing.address is not None:
            values["address"] = landing.address
        async with self.ctx.database.session() as session:
            changed = await ContractsRepository(session).settle(row, values)
        if changed:
            settled_counter(self.ctx.metrics).labels(row.chain, outcome).inc()
            log.info("contracts: %s on %s settled as %s", row.id, row.chain, outcome)
        return changed
