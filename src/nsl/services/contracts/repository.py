"""The only place that queries the contracts tables.

``owner_id=None`` reads every owner's rows (roles that may see all); addresses are stored as
the chain spells them after validation, so lookups compare them exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.services.contracts.models import DeploymentRow, InvocationRow


class ContractsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # writes -----------------------------------------------------------------------------
    async def add(self, row: DeploymentRow | InvocationRow) -> None:
        self.session.add(row)
        await self.session.flush()

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
