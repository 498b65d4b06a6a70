"""HTTP routes under ``/api/v1/auth``; each calls one service method."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Query, Response

from nsl.core.security import Principal, Role, require_roles
from nsl.services.auth.policy import DEFAULT_PAGE_SIZE, PageRequest
from nsl.services.auth.schemas import (
    CodeRequest,
    KeyCreate,
    KeyCreatedOut,
    KeyOut,
    MeOut,
    PageOut,
    PrincipalCreate,
    PrincipalOut,
    PrincipalPatch,
    RefreshRequest,
    TokenOut,
    TokenRequest,
    TotpEnrollOut,
    key_page,
    principal_page,
)

if TYPE_CHECKING:
    from nsl.services.auth.service import AuthService

Caller = Annotated[Principal, Depends(require_roles())]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Reader = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.AUDITOR))]


def paging(page: int = Query(1), page_size: int = Query(DEFAULT_PAGE_SIZE)) -> PageRequest:
    return PageRequest(page, page_size)


Paging = Annotated[PageRequest, Depends(paging)]


def build_router(auth: AuthService) -> APIRouter:
    router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

    @router.post("/token")
    async def token(body: TokenRequest) -> TokenOut:
        pair = await auth.exchange_token(
            api_key=body.secret("api_key"),
            username=body.username,
            password=body.secret("password"),
            totp_code=body.totp_code,
        )
        return TokenOut.of(pair)

    @router.post("/refresh")
    async def refresh(body: RefreshRequest) -> TokenOut:
        return TokenOut.of(await auth.refresh(body.refresh_token.get_secret_value()))

    @router.post("/logout", status_code=204)
    async def logout(body: RefreshRequest) -> Response:
        await auth.logout(body.refresh_token.get_secret_value())
        return Response(status_code=204)

    @router.get("/me")
    async def me(caller: Caller) -> MeOut:
        return MeOut.of(await auth.describe(caller))

    @router.post("/totp/enroll")
    async def totp_enroll(caller: Caller) -> TotpEnrollOut:
        enrollment = await auth.enroll_totp(caller.id)
        return TotpEnrollOut(secret=enrollment.secret, otpauth_uri=enrollment.otpauth_uri)

    @router.post("/totp/confirm", status_code=204)
    async def totp_confirm(body: CodeRequest, caller: Caller) -> Response:
        await auth.confirm_totp(caller.id, body.code)
        return Response(status_code=204)

    @router.post("/totp/disable", status_code=204)
    async def totp_disable(body: CodeRequest, caller: Caller) -> Response:
        await auth.disable_totp(caller.id, body.code)
        return Response(status_code=204)

    @router.post("/principals", status_code=201)
    async def create_principal(body: PrincipalCreate, _: Admin) -> PrincipalOut:
        password = body.password.get_secret_value() if body.password else None
        record = await auth.create_principal(body.name, body.kind, body.roles, password)
        return PrincipalOut.of(record)

    @router.get("/principals")
    async def list_principals(_: Reader, paging: Paging) -> PageOut[PrincipalOut]:
        return principal_page(await auth.list_principals(paging))

    @router.get("/principals/{principal_id}")
    async def get_principal(principal_id: str, _: Reader) -> PrincipalOut:
        return PrincipalOut.of(await auth.get_principal(principal_id))

    @router.patch("/principals/{principal_id}")
    async def update_principal(principal_id: str, body: PrincipalPatch, _: Admin) -> PrincipalOut:
        password = body.password.get_secret_value() if body.password else None
        record = await auth.update_principal(
            principal_id, roles=body.roles, disabled=body.disabled, password=password
        )
        return PrincipalOut.of(record)

    @router.delete("/principals/{principal_id}", status_code=204)
    async def delete_principal(principal_id: str, _: Admin) -> Response:
        await auth.delete_principal(principal_id)
        return Response(status_code=204)

    @router.post("/principals/{principal_id}/unlock")
    async def unlock_principal(principal_id: str, _: Admin) -> PrincipalOut:
        return PrincipalOut.of(await auth.unlock_principal(principal_id))

    @router.post("/keys", status_code=201)
    async def create_key(body: KeyCreate, caller: Caller) -> KeyCreatedOut:
        record, raw = await auth.issue_key(
            caller,
            name=body.name,
            principal_id=body.principal_id,
            roles=body.roles,
            expires_at=body.expires_at,
            expires_in_s=body.expires_in_s,
        )
        return KeyCreatedOut.of(record, raw)

    @router.get("/keys")
    async def list_keys(caller: Caller, paging: Paging) -> PageOut[KeyOut]:
        return key_page(await auth.list_keys(caller, paging))

    @router.delete("/keys/{key_id}", status_code=204)
    async def revoke_key(key_id: str, caller: Caller) -> Response:
        await auth.revoke_key(caller, key_id)
        return Response(status_code=204)

    return router
