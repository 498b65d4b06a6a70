"""HTTP routes under ``/api/v1/keys``, each calling one service method."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from nsl.core.security import Principal
from nsl.services.keys.guards import key_user, totp_key_user
from nsl.services.keys.schemas import (
    CreateKey,
    DataKeyBody,
    DecryptBody,
    EncryptBody,
    ExportBody,
    RevokeBody,
    SignBody,
    UpdateKey,
    VerifyBody,
)

if TYPE_CHECKING:
    from nsl.services.keys.service import KeysService


class JsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def build_router(service: KeysService) -> APIRouter:
    router = APIRouter(prefix="/api/v1/keys", tags=["keys"], default_response_class=JsonResponse)
    with_totp = totp_key_user(service.ctx)

    @router.post("", status_code=201, summary="Create a key inside the enclave")
    async def create(body: CreateKey, principal: Principal = Depends(key_user)) -> Response:
        """``key_type`` secp256r1 (answers ``neo_address``, ``script_hash``), secp256k1
        (``evm_address``) or ed25519. Usages: sign, verify, encrypt, decrypt (EC keys)."""
        return JsonResponse(await service.create(body, principal=principal), status_code=201)

    @router.get("", summary="Your keys (filter by key_type, status)")
    async def list_keys(
        key_type: str | None = None,
        status: str | None = None,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(key_user),
    ) -> Response:
        result = await service.list_keys(
            principal=principal,
            key_type=key_type,
            status=status,
            page_number=page,
            page_size=page_size,
        )
        return JsonResponse(result)

    @router.get("/{key_id}", summary="One key: versions, addresses, policy, usage")
    async def get(key_id: str, principal: Principal = Depends(key_user)) -> Response:
        return JsonResponse(await service.get(key_id, principal=principal))

    @router.patch("/{key_id}", summary="Change name, min_verify_version, rotation, rate limit")
    async def update(
        key_id: str, body: UpdateKey, principal: Principal = Depends(key_user)
    ) -> Response:
        return JsonResponse(await service.update(key_id, body, principal=principal))

    @router.delete("/{key_id}", summary="Delete (restorable during the grace period; TOTP)")
    async def delete(key_id: str, principal: Principal = Depends(with_totp)) -> Response:
        return JsonResponse(await service.delete(key_id, principal=principal))

    @router.post("/{key_id}/restore", summary="Undo a delete within the grace period")
    async def restore(key_id: str, principal: Principal = Depends(key_user)) -> Response:
        return JsonResponse(await service.restore(key_id, principal=principal))

    @router.post("/{key_id}/sign", summary="Sign data, a digest, or a Neo N3 / EVM transaction")
    async def sign(
        key_id: str, body: SignBody, principal: Principal = Depends(key_user)
    ) -> Response:
        """Schemes: ``ecdsa-sha256`` (secp256r1 default; 64-byte r‖s; ``prehashed`` for a
        SHA-256 digest), ``eip191`` (secp256k1 default; 65-byte r‖s‖v), ``ecdsa-keccak256``,
        ``ed25519``, ``neo-n3-tx`` (``transaction`` hex + ``network_magic``: a witness) and
        ``evm-eip1559`` (``transaction`` fields: ``raw_transaction``)."""
        return JsonResponse(await service.sign(key_id, body, principal=principal))

    @router.post("/{key_id}/verify", summary="Verify a signature (versions ≥ min_verify_version)")
    async def verify(
        key_id: str, body: VerifyBody, principal: Principal = Depends(key_user)
    ) -> Response:
        return JsonResponse(await service.verify(key_id, body, principal=principal))

    @router.post("/{key_id}/rotate", summary="Make a new version current")
    async def rotate(key_id: str, principal: Principal = Depends(key_user)) -> Response:
        return JsonResponse(await service.rotate(key_id, principal=principal))

    @router.post("/{key_id}/revoke", summary="Revoke with a reason (no further use)")
    async def revoke(
        key_id: str, body: RevokeBody, principal: Principal = Depends(key_user)
    ) -> Response:
        return JsonResponse(await service.revoke(key_id, body.reason, principal=principal))

    @router.post("/{key_id}/encrypt", summary="Encrypt (ECIES in the enclave)")
    async def encrypt(
        key_id: str, body: EncryptBody, principal: Principal = Depends(key_user)
    ) -> Response:
        return JsonResponse(await service.encrypt(key_id, body, principal=principal))

    @router.post("/{key_id}/decrypt", summary="Decrypt a ciphertext of this key")
    async def decrypt(
        key_id: str, body: DecryptBody, principal: Principal = Depends(key_user)
    ) -> Response:
        return JsonResponse(await service.decrypt(key_id, body, principal=principal))

    @router.post("/{key_id}/datakey", summary="A data key for envelope encryption")
    async def datakey(
        key_id: str,
        body: DataKeyBody | None = Body(None),
        plaintext: bool = True,
        principal: Principal = Depends(key_user),
    ) -> Response:
        """``plaintext=false`` returns only the ciphertext (decrypt it when needed)."""
        result = await service.datakey(
            key_id, body or DataKeyBody(), principal=principal, plaintext=plaintext
        )
        return JsonResponse(result)

    @router.post("/{key_id}/export", summary="The private key wrapped for you (TOTP)")
    async def export(
        key_id: str, body: ExportBody, principal: Principal = Depends(with_totp)
    ) -> Response:
        """Only for keys created exportable. Format ``nsl-export-v1``: ECIES to your P-256
        public key (see the enclave documentation)."""
        return JsonResponse(await service.export(key_id, body, principal=principal))

    return router
