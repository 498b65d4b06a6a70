"""What other services use from contracts: state-changing calls signed by a caller's key and
recorded in the invocation history like any made through the API."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from nsl.core.context import ServiceContext
from nsl.core.errors import Unavailable
from nsl.core.security import Principal
from nsl.services.contracts.schemas import InvokeBody


@runtime_checkable
class Invoker(Protocol):
    async def invoke(self, chain_name: str, body: InvokeBody, *, principal: Principal) -> Any: ...


class ContractsClient:
    """In-process access to the contracts service (looked up at call time)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def invoke(
        self,
        chain: str,
        contract: str,
        method: str,
        args: list[Any],
        *,
        key_id: str,
        principal: Principal,
        abi: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The invocation's view (``tx_hash``, ``block``, ``state``, ``status``, ``events``...);
        a FAULT is a result with ``status: failed``, not an error. Neo X: ``abi`` for a
        contract we have no deployment record of."""
        service = self.ctx.services.get("contracts")
        if not isinstance(service, Invoker):
            raise Unavailable(
                "the contracts service does not run in this process",
                code="contracts.unavailable",
            )
        body = InvokeBody(contract=contract, method=method, args=args, key_id=key_id, abi=abi)
        result: dict[str, Any] = await service.invoke(chain, body, principal=principal)
        return result
