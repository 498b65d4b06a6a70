"""State-changing use cases: deploy and invoke, signed by the caller's key through the keys
service, with a record of each outcome as ``outcomes.py`` rules."""

from __future__ import annotations

from typing import Any

import orjson

from nsl.core.chain import NEO_N3
from nsl.core.errors import NslError
from nsl.core.ids import new_id
from nsl.core.security import Principal
from nsl.services.contracts import inputs, outcomes
from nsl.services.contracts.base import ContractsBase
from nsl.services.contracts.models import DeploymentRow, InvocationRow
from nsl.services.contracts.repository import ContractsRepository
from nsl.services.contracts.schemas import DeployBody, InvokeBody
from nsl.services.contracts.views import deployment_view, invocation_view
from nsl.services.keys.client import KeysClient


class TransactionUseCases(ContractsBase):
    async def deploy(self, chain_name: str, body: DeployBody, *, principal: Principal) -> Any:
        """Validate everything, sign with ``key_id``, send, wait, record; the deployment's view."""
        config = self.chain_settings(chain_name)  # a 400 for an unknown chain
        plan = inputs.deploy_plan(chain_name, body, config.max_contract_bytes)
        chain = self.chain(chain_name)
        async with self.audited("deploy", principal, f"chain/{chain.name}") as scope:
            scope.data(plan.deployment.code)
            scope.details.update(key_id=body.key_id, code_hash=plan.code_hash)
            signer = await KeysClient(self.ctx).signer(body.key_id, principal, chain.name)
            landing, error = await outcomes.attempt(
                chain.deploy(plan.deployment, signer, timeout_s=config.receipt_timeout_s)
            )
            row = DeploymentRow(
                id=new_id("dep_"),
                owner_id=principal.id,
                key_id=body.key_id,
                chain=chain.name,
                network=chain.network,
                name=plan.name,
                address=landing.address,
                code_hash=plan.code_hash,
                manifest=plan.deployment.manifest if chain.name == NEO_N3 else None,
                abi=plan.deployment.abi,
                created_at=self.ctx.clock.now(),
                **_outcome_columns(landing),
            )
            await self._store(row)
            if landing.address:
                scope.target = f"contract/{chain.name}/{landing.address}"
            scope.details.update(tx_hash=landing.tx_hash, status=landing.status, id=row.id)
            _raise_with(error, deployment_id=row.id)
            return deployment_view(row)

    async def invoke(self, chain_name: str, body: InvokeBody, *, principal: Principal) -> Any:
        """Call ``method`` in a transaction signed by ``key_id``; the invocation's view."""
        chain = self.chain(chain_name)
        contract = self.contract_address(chain, body.contract)
        abi = await self.call_abi(chain, contract, body.abi)
        call = inputs.contract_call(chain.name, body, contract, abi)
        config = self.chain_settings(chain.name)
        async with self.audited("invoke", principal, f"contract/{chain.name}/{contract}") as scope:
            scope.data(orjson.dumps([call.method, call.args]))
            scope.details.update(key_id=body.key_id, method=call.method)
            signer = await KeysClient(self.ctx).signer(body.key_id, principal, chain.name)
            landing, error = await outcomes.attempt(
                chain.invoke(call, signer, timeout_s=config.receipt_timeout_s)
            )
            row = InvocationRow(
                id=new_id("inv_"),
                owner_id=principal.id,
                key_id=body.key_id,
                chain=chain.name,
                network=chain.network,
                contract=contract,
                method=call.method,
                args=call.args,
                events=landing.events,
                created_at=self.ctx.clock.now(),
                **_outcome_columns(landing),
            )
            await self._store(row)
            scope.details.update(tx_hash=landing.tx_hash, status=landing.status, id=row.id)
            _raise_with(error, invocation_id=row.id)
            return invocation_view(row)

    async def _store(self, row: DeploymentRow | InvocationRow) -> None:
        async with self.ctx.database.session() as session:
            await ContractsRepository(session).add(row)


def _outcome_columns(landing: outcomes.Landing) -> dict[str, Any]:
    return {
        "tx_hash": landing.tx_hash,
        "block_number": landing.block_number,
        "block_hash": landing.block_hash,
        "state": landing.state,
        "status": landing.status,
        "gas_consumed": landing.gas_consumed,
        "fee": None if landing.fee is None else str(landing.fee),
        "error": landing.error,
        "validity": landing.validity,
    }


def _raise_with(error: NslError | None, **ids: str) -> None:
    """Raise ``error`` (a transaction sent but unconfirmed) naming the record just written."""
    if error is not None:
        error.extra.update(ids)
        raise error
