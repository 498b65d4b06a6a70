"""The only place that queries the contracts tables.

``owner_id=None`` reads every owner's rows (roles that may see all); addresses are stored as
the chain spells them after validation, so lookups compare them exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.services.contracts.models import DeploymentRow, InvocationRow
from nsl.services.contracts.outcomes import UNCONFIRMED

Row = DeploymentRow | InvocationRow
M = TypeVar("M", DeploymentRow, InvocationRow)


class ContractsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # writes -----------------------------------------------------------------------------
    async def add(self, row: DeploymentRow | InvocationRow) -> None:
        self.session.add(row)
        await self.session.flush()

    # settlement -------------------------------------------------------------------------
    async def unconfirmed(self, scopes: Sequence[tuple[str, str]], limit: int) -> list[Row]:
        """Up to ``limit`` unconfirmed rows of both tables on the (chain, network) ``scopes``,
        oldest first."""
        if not scopes:
            return []
        found: list[Row] = [*await self._unconfirmed(DeploymentRow, scopes, limit)]
        found.extend(await self._unconfirmed(InvocationRow, scopes, limit))
        return sorted(found, key=lambda row: (row.created_at, row.id))[:limit]

    async def _unconfirmed(
        self, model: type[M], scopes: Sequence[tuple[str, str]], limit: int
    ) -> Sequence[M]:
        query = (
            select(model)
            .where(
                model.status == UNCONFIRMED,
                model.tx_hash.is_not(None),
                or_(*(and_(model.chain == c, model.network == n) for c, n in scopes)),
            )
            .order_by(model.created_at, model.id)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def settle(self, row: Row, values: dict[str, Any]) -> bool:
        """Write ``values`` into ``row`` only if it is still unconfirmed (a concurrent settler
        may have got there first); whether it did."""
        model = type(row)
        statement = (
            update(model)
            .where(model.id == row.id, model.status == UNCONFIRMED)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(statement)
        return isinstance(result, CursorResult) and result.rowcount == 1

    # deployments ------------------------------------------------------------------------
    async def deployments(
        self,
        chain: str,
        network: str,
        owner_id: str | None,
        name: str | None,
        offset: int,
        limit: int,
    ) -> Sequence[DeploymentRow]:
        query = (
            select(DeploymentRow)
            .where(*_deployments(chain, network, owner_id, name))
            .order_by(DeploymentRow.created_at.desc(), DeploymentRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def count_deployments(
        self, chain: str, network: str, owner_id: str | None, name: str | None
    ) -> int:
        query = (
            select(func.count())
            .select_from(DeploymentRow)
            .where(*_deployments(chain, network, owner_id, name))
        )
        return int((await self.session.execute(query)).scalar_one())

    async def deployment_at(
        self, chain: str, network: str, address: str, owner_id: str | None
    ) -> DeploymentRow | None:
        """The newest deployment of ``address`` we recorded (of ``owner_id``, if given)."""
        conditions = _at(chain, network, address)
        if owner_id is not None:
            conditions.append(DeploymentRow.owner_id == owner_id)
        query = (
            select(DeploymentRow)
            .where(*conditions)
            .order_by(DeploymentRow.created_at.desc(), DeploymentRow.id.desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def abi_at(self, chain: str, network: str, address: str) -> list[Any] | None:
        """The ABI of the newest recorded deployment of ``address`` (any owner's: an ABI is
        public knowledge about a public contract)."""
        query = (
            select(DeploymentRow.abi)
            .where(*_at(chain, network, address), DeploymentRow.abi.is_not(None))
            .order_by(DeploymentRow.created_at.desc(), DeploymentRow.id.desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    # invocations ------------------------------------------------------------------------
    async def invocations(
        self,
        chain: str,
        network: str,
        contract: str,
        owner_id: str | None,
        offset: int,
        limit: int,
    ) -> Sequence[InvocationRow]:
        query = (
            select(InvocationRow)
            .where(*_invocations(chain, network, contract, owner_id))
            .order_by(InvocationRow.created_at.desc(), InvocationRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def count_invocations(
        self, chain: str, network: str, contract: str, owner_id: str | None
    ) -> int:
        query = (
            select(func.count())
            .select_from(InvocationRow)
            .where(*_invocations(chain, network, contract, owner_id))
        )
        return int((await self.session.execute(query)).scalar_one())


def _deployments(
    chain: str, network: str, owner_id: str | None, name: str | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        DeploymentRow.chain == chain,
        DeploymentRow.network == network,
    ]
    if owner_id is not None:
        conditions.append(DeploymentRow.owner_id == owner_id)
    if name is not None:
        conditions.append(DeploymentRow.name == name)
    return conditions


def _at(chain: str, network: str, address: str) -> list[ColumnElement[bool]]:
    return [
        DeploymentRow.chain == chain,
        DeploymentRow.network == network,
        DeploymentRow.address == address,
    ]


def _invocations(
    chain: str, network: str, contract: str, owner_id: str | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        InvocationRow.chain == chain,
        InvocationRow.network == network,
        InvocationRow.contract == contract,
    ]
    if owner_id is not None:
        conditions.append(InvocationRow.owner_id == owner_id)
    return conditions
