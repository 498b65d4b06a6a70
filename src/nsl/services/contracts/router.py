"""HTTP routes under ``/api/v1/contracts/{chain}``, each calling one service method.

The POST routes (``deploy``, ``invoke``, ``call``, ``estimate``) come before
``GET /{contract}``; they are distinct methods, so a contract address never shadows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from nsl.core.security import Principal, Role, require_roles
from nsl.services.contracts.base import WRITE_ROLES
from nsl.services.contracts.schemas import CallBody, DeployBody, InvokeBody

if TYPE_CHECKING:
    from nsl.services.contracts.service import ContractsService

_ANY_ROLE = require_roles(*Role)
_WRITER = require_roles(*WRITE_ROLES)
CREATED = 201


async def caller(request: Request) -> Principal:
    """Any authenticated principal."""
    return _ANY_ROLE(request)


async def writer(request: Request) -> Principal:
    """Any role that may sign transactions (not the read-only auditor)."""
    return _WRITER(request)


def build_router(service: ContractsService) -> APIRouter:
    router = APIRouter(prefix="/api/v1/contracts/{chain}", tags=["contracts"])

    @router.post("/deploy", status_code=CREATED, summary="Deploy a contract with your key")
    async def deploy(
        chain: str, body: DeployBody, principal: Principal = Depends(writer)
    ) -> JSONResponse:
        """Neo N3: ``nef`` (base64) + ``manifest`` (+ ``data`` for ``_deploy``); Neo X:
        ``bytecode`` (0x-hex init code) + ``abi`` (+ constructor ``args``). Everything is
        checked before anything is sent. 201 with ``status: succeeded``; 200 with ``status:
        failed`` and the VM's message when the deployment faulted."""
        result = await service.deploy(chain, body, principal=principal)
        return JSONResponse(result, CREATED if result["status"] == "succeeded" else 200)

    @router.post("/invoke", summary="Call a method in a transaction signed by your key")
    async def invoke(
        chain: str, body: InvokeBody, principal: Principal = Depends(writer)
    ) -> JSONResponse:
        """Waits for the block. ``state`` HALT is ``status: succeeded``; a FAULT (on chain,
        or in the node's test run, then never sent and without ``tx_hash``) is ``status:
        failed`` with the VM's message in ``exception``."""
        return JSONResponse(await service.invoke(chain, body, principal=principal))

    @router.post("/call", summary="Run a method read-only (no key, no fee)")
    async def call(
        chain: str, body: CallBody, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        """``result`` items are ``{type, value}`` with ``text`` for byte strings that are
        UTF-8 text. Neo X needs ``abi`` unless we deployed the contract."""
        return JSONResponse(await service.call(chain, body))

    @router.post("/estimate", summary="What an invoke would cost (nothing is signed)")
    async def estimate(
        chain: str, body: InvokeBody, principal: Principal = Depends(writer)
    ) -> JSONResponse:
        return JSONResponse(await service.estimate(chain, body, principal=principal))

    @router.get("", summary="Deployments we made on this chain")
    async def deployments(
        chain: str,
        name: str | None = None,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(caller),
    ) -> JSONResponse:
        """Yours, or everyone's for admin, operator and auditor; newest first."""
        result = await service.deployments(
            chain, principal=principal, name=name, page_number=page, page_size=page_size
        )
        return JSONResponse(result)

    @router.get("/{contract}", summary="Our record of a contract and its live metadata")
    async def contract(
        chain: str, contract: str, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(await service.contract(chain, contract, principal=principal))

    @router.get("/{contract}/events", summary="A contract's events in a block range")
    async def events(
        chain: str,
        contract: str,
        from_block: int | None = None,
        to_block: int | None = None,
        name: str | None = None,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(caller),
    ) -> JSONResponse:
        """At most 10,000 blocks per request; without a range, the latest 1,000 blocks."""
        result = await service.events(
            chain,
            contract,
            from_block=from_block,
            to_block=to_block,
            name=name,
            page_number=page,
            page_size=page_size,
        )
        return JSONResponse(result)

    @router.get("/{contract}/invocations", summary="Our invocations of a contract")
    async def invocations(
        chain: str,
        contract: str,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(caller),
    ) -> JSONResponse:
        """Yours, or everyone's for admin, operator and auditor; newest first."""
        result = await service.invocations(
            chain, contract, principal=principal, page_number=page, page_size=page_size
        )
        return JSONResponse(result)

    return router
