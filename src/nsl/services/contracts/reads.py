"""Read use cases: read-only calls, fee estimates, our records, live contract metadata and
events (a bounded block range per request)."""

from __future__ import annotations

from typing import Any

from nsl.core.security import Principal
from nsl.services.contracts import inputs, rules
from nsl.services.contracts.base import ContractsBase, events_json
from nsl.services.contracts.repository import ContractsRepository
from nsl.services.contracts.schemas import CallBody, InvokeBody
from nsl.services.contracts.views import (
    call_view,
    deployment_view,
    estimate_view,
    invocation_view,
    page,
)
from nsl.services.keys.client import KeysClient


class ReadUseCases(ContractsBase):
    async def call(self, chain_name: str, body: CallBody) -> dict[str, Any]:
        """Run ``method`` without a transaction (no key, no fee, nothing recorded)."""
        async with self.operation("call"):
            chain = self.chain(chain_name)
            contract = self.contract_address(chain, body.contract)
            abi = await self.call_abi(chain, contract, body.abi)
            result = await chain.call(inputs.contract_call(chain.name, body, contract, abi))
            return call_view(result)

    async def estimate(
        self, chain_name: str, body: InvokeBody, *, principal: Principal
    ) -> dict[str, Any]:
        """What ``invoke`` would cost with ``key_id``'s account as sender (nothing is signed)."""
        async with self.operation("estimate"):
            chain = self.chain(chain_name)
            contract = self.contract_address(chain, body.contract)
            abi = await self.call_abi(chain, contract, body.abi)
            call = inputs.contract_call(chain.name, body, contract, abi)
            signer = await KeysClient(self.ctx).signer(body.key_id, principal, chain.name)
            estimate = await chain.estimate(call, signer.public_key)
            return estimate_view(estimate, chain.address_of(signer.public_key))

    async def deployments(
        self,
        chain_name: str,
        *,
        principal: Principal,
        name: str | None,
        page_number: int,
        page_size: int,
    ) -> dict[str, Any]:
        """Deployments we made on ``chain`` (the caller's, or all for admin/operator/auditor)."""
        async with self.operation("list"):
            rules.paging(page_number, page_size)
            network, owner = self.network(chain_name), self.owner_filter(principal)
            async with self.ctx.database.session() as session:
                repo = ContractsRepository(session)
                total = await repo.count_deployments(chain_name, network, owner, name)
                rows = await repo.deployments(
                    chain_name, network, owner, name, (page_number - 1) * page_size, page_size
                )
                items = [deployment_view(r) for r in rows]
            return page(items, total, page_number, page_size)

    async def contract(
        self, chain_name: str, contract: str, *, principal: Principal
    ) -> dict[str, Any]:
        """Our newest record of ``contract`` (if the caller may see one) and the chain's view."""
        async with self.operation("get"):
            chain = self.chain(chain_name)
            address = self.contract_address(chain, contract)
            async with self.ctx.database.session() as session:
                row = await ContractsRepository(session).deployment_at(
                    chain.name, chain.network, address, self.owner_filter(principal)
                )
            info = await chain.contract_info(address)
            return {
                "chain": chain.name,
                "network": chain.network,
                "address": address,
                "deployment": None if row is None else deployment_view(row),
                "contract_info": info,
            }

    async def events(
        self,
        chain_name: str,
        contract: str,
        *,
        from_block: int | None,
        to_block: int | None,
        name: str | None,
        page_number: int,
        page_size: int,
    ) -> dict[str, Any]:
        """The contract's events in a block range of at most ``MAX_BLOCK_SPAN`` blocks, oldest
        first (Neo X logs are decoded with the ABI we recorded, if any)."""
        async with self.operation("events"):
            rules.paging(page_number, page_size)
            chain = self.chain(chain_name)
            address = self.contract_address(chain, contract)
            span = rules.block_range(from_block, to_block, await self.tip(chain))
            abi = await self.known_abi(chain.name, chain.network, address)
            found = await chain.events(
                address,
                span.start,
                span.end,
                names=[name] if name is not None else None,
                abi=abi,
            )
            start = (page_number - 1) * page_size
            result = page(
                events_json(found[start : start + page_size]), len(found), page_number, page_size
            )
            result.update(from_block=span.start, to_block=span.end)
            return result

    async def invocations(
        self,
        chain_name: str,
        contract: str,
        *,
        principal: Principal,
        page_number: int,
        page_size: int,
    ) -> dict[str, Any]:
        """Our invocations of ``contract``, newest first (the caller's unless it may read all)."""
        async with self.operation("invocations"):
            rules.paging(page_number, page_size)
            chain = self.chain(chain_name)
            address = self.contract_address(chain, contract)
            owner = self.owner_filter(principal)
            async with self.ctx.database.session() as session:
                repo = ContractsRepository(session)
                total = await repo.count_invocations(chain.name, chain.network, address, owner)
                rows = await repo.invocations(
                    chain.name,
                    chain.network,
                    address,
                    owner,
                    (page_number - 1) * page_size,
                    page_size,
                )
                items = [invocation_view(r) for r in rows]
            return page(items, total, page_number, page_size)
