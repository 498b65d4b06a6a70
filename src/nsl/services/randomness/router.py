"""HTTP routes under ``/api/v1/randomness``, each calling one service method.

``GET /keys`` comes before ``GET /{request_id}``; ``keys`` and ``verify`` are not valid
request ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from nsl.core.security import Principal, Role, require_roles
from nsl.services.randomness.publishing import PublishBody
from nsl.services.randomness.schemas import GenerateBody, VerifyBody

if TYPE_CHECKING:
    from nsl.services.randomness.service import RandomnessService

_ANY_ROLE = require_roles(*Role)
CREATED = 201


async def caller(request: Request) -> Principal:
    """Any authenticated principal (an async dependency: no hop to a worker thread)."""
    return _ANY_ROLE(request)


def build_router(service: RandomnessService) -> APIRouter:
    router = APIRouter(prefix="/api/v1/randomness", tags=["randomness"])

    @router.post("", status_code=CREATED, summary="Verifiable random values for an alpha")
    async def generate(body: GenerateBody, principal: Principal = Depends(caller)) -> JSONResponse:
        """An ECVRF proof over ``alpha`` (hex) by the service's enclave key, its output ``beta``
        and ``count`` integers drawn from beta, uniformly in [min, max] without modulo bias
        (docs/decisions/0006-vrf-values.md). The request is stored before it is proved; repeat
        a ``request_id`` to get the same answer again."""
        return JSONResponse(await service.generate(body, principal=principal), CREATED)

    @router.post("/verify", summary="Check a proof (and values) against a public key and alpha")
    async def verify(body: VerifyBody, principal: Principal = Depends(caller)) -> JSONResponse:
        """``valid: false`` with a ``reason`` for a proof that does not verify or values that
        do not follow from it; malformed input is a 400."""
        return JSONResponse(await service.verify(body, principal=principal))

    @router.get("/keys", summary="The service's VRF public keys, one per suite")
    async def keys(principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(service.keys())

    @router.get("", summary="Your randomness requests, newest first")
    async def list_requests(
        status: str | None = None,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(caller),
    ) -> JSONResponse:
        result = await service.list_requests(
            principal=principal, status=status, page_number=page, page_size=page_size
        )
        return JSONResponse(result)

    @router.get("/{request_id}", summary="One of your randomness requests")
    async def get_request(request_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(await service.get(request_id, principal=principal))

    @router.post("/{request_id}/publish", summary="Fulfil a consumer contract with the output")
    async def publish(
        request_id: str, body: PublishBody, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        """Calls the consumer contract's ``fulfill(consumer_request_id, beta)`` in a
        transaction signed by ``key_id`` (the account the contract accepts as fulfiller); the
        invocation is recorded by the contracts service. A FAULT (say, another account) comes
        back with ``state: FAULT`` and the VM's message."""
        return JSONResponse(await service.publish(request_id, body, principal=principal))

    return router
