"""Request and response bodies of the auth routes (requests reject unknown fields)."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from nsl.core.security import Role
from nsl.services.auth.models import ApiKeyRecord, PrincipalRecord
from nsl.services.auth.principals import Me
from nsl.services.auth.sessions import TokenPair
from nsl.services.auth.shared import Page

T = TypeVar("T")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenRequest(Strict):
    """Either ``api_key``, or ``username`` and ``password`` (plus ``totp_code`` when enrolled)."""

    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    totp_code: str | None = Field(None, repr=False)

    def secret(self, field: Literal["api_key", "password"]) -> str | None:
        value: SecretStr | None = getattr(self, field)
        return value.get_secret_value() if value is not None else None


class RefreshRequest(Strict):
    refresh_token: SecretStr


class CodeRequest(Strict):
    code: str = Field(repr=False)


class PrincipalCreate(Strict):
    name: str
    kind: Literal["user", "service"] = "user"
    roles: list[Role] = Field(default_factory=lambda: [Role.USER])
    password: SecretStr | None = None


class PrincipalPatch(Strict):
    roles: list[Role] | None = None
    disabled: bool | None = None
    password: SecretStr | None = None


class KeyCreate(Strict):
    name: str
    principal_id: str | None = None
    roles: list[Role] | None = None
    expires_at: datetime | None = None
    expires_in_s: int | None = None


class TokenOut(BaseModel):
    access_token: str = Field(repr=False)
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    refresh_token: str = Field(repr=False)

    @classmethod
    def of(cls, pair: TokenPair) -> TokenOut:
        return cls(
            access_token=pair.access_token,
            expires_in=pair.expires_in,
            refresh_token=pair.refresh_token,
        )


class TotpEnrollOut(BaseModel):
    secret: str = Field(repr=False)
    otpauth_uri: str = Field(repr=False)


class PrincipalOut(BaseModel):
    id: str
    name: str
    kind: str
    roles: list[str]
    disabled: bool
    locked_until: datetime | None
    totp_enabled: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: PrincipalRecord) -> PrincipalOut:
        return cls(
            id=r.id,
            name=r.name,
            kind=r.kind,
            roles=sorted(r.roles),
            disabled=r.disabled,
            locked_until=r.locked_until,
            totp_enabled=r.totp_enabled,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


class MeOut(BaseModel):
    id: str
    name: str
    kind: str
    roles: list[str]
    totp_enabled: bool
    method: str
    mfa: bool

    @classmethod
    def of(cls, me: Me) -> MeOut:
        p = me.principal
        return cls(
            id=p.id,
            name=p.name,
            kind=p.kind,
            roles=sorted(r.value for r in p.roles),
            totp_enabled=me.record.totp_enabled,
            method=p.method,
            mfa=p.mfa,
        )


class KeyOut(BaseModel):
    id: str
    principal_id: str
    name: str
    prefix: str
    roles: list[str] | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, k: ApiKeyRecord) -> KeyOut:
        return cls(
            id=k.id,
            principal_id=k.principal_id,
            name=k.name,
            prefix=k.prefix,
            roles=k.roles,
            created_at=k.created_at,
            expires_at=k.expires_at,
            revoked_at=k.revoked_at,
            last_used_at=k.last_used_at,
        )


class KeyCreatedOut(BaseModel):
    """The only response that ever contains the raw key."""

    id: str
    key: str = Field(repr=False)
    prefix: str
    principal_id: str
    roles: list[str] | None
    expires_at: datetime | None

    @classmethod
    def of(cls, k: ApiKeyRecord, raw: str) -> KeyCreatedOut:
        return cls(
            id=k.id,
            key=raw,
            prefix=k.prefix,
            principal_id=k.principal_id,
            roles=k.roles,
            expires_at=k.expires_at,
        )


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


def principal_page(page: Page[PrincipalRecord]) -> PageOut[PrincipalOut]:
    items = [PrincipalOut.of(r) for r in page.items]
    return PageOut[PrincipalOut](
        items=items, total=page.total, page=page.page, page_size=page.page_size
    )


def key_page(page: Page[ApiKeyRecord]) -> PageOut[KeyOut]:
    items = [KeyOut.of(k) for k in page.items]
    return PageOut[KeyOut](items=items, total=page.total, page=page.page, page_size=page.page_size)
