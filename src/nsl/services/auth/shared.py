"""State and helpers shared by the auth use-case modules (the base of :class:`AuthService`).

Construction does no I/O; ``on_start`` resolves the JWT secret and the TOTP sealer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from nsl.core.context import ServiceContext
from nsl.core.errors import NslError, Unavailable
from nsl.core.masterkey import resolve_master_key
from nsl.core.sealing import AesGcmSealer, Sealer, derive_key
from nsl.core.service import ServiceBase
from nsl.core.singleflight import SingleFlight
from nsl.services.auth import errors
from nsl.services.auth.hotcache import CachedKey, HotCache, NameFailures, PrincipalState
from nsl.services.auth.models import ApiKeyRecord, PrincipalRecord
from nsl.services.auth.passwords import Passwords
from nsl.services.auth.repository import AuthRepository
from nsl.services.auth.tokens import (
    AccessTokens,
    resolve_jwt_secret,
    resolve_previous_jwt_secrets,
)

T = TypeVar("T")
E = TypeVar("E", bound=NslError)
TOTP_SEALING_PURPOSE = "nsl/auth/totp-secrets/v1"


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


def effective_roles(principal: PrincipalRecord, key: ApiKeyRecord | None) -> list[str]:
    """The principal's roles, narrowed to the key's when the key carries its own."""
    if key is None or key.roles is None:
        return sorted(principal.roles)
    return sorted(set(principal.roles) & set(key.roles))


def totp_aad(principal_id: str) -> bytes:
    """Associated data binding a sealed TOTP secret to its principal."""
    return b"nsl.auth.totp.v1\x00" + principal_id.encode()


class AuthCore(ServiceBase):
    """Settings, clock, password hasher, token codec, sealer and the shared-cache views."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        jwt_secret: bytes | None = None,
        sealer: Sealer | None = None,
        passwords: Passwords | None = None,
    ) -> None:
        super().__init__(ctx)
        self.auth_settings = ctx.settings.auth
        self.passwords = passwords or Passwords()
        self.hot = HotCache(ctx.cache, self.auth_settings.api_key_cache_s)
        self.key_loads: SingleFlight[str, CachedKey] = SingleFlight()
        self.state_loads: SingleFlight[str, PrincipalState | None] = SingleFlight()
        self.name_failures = NameFailures(ctx.cache, self.auth_settings.lockout_s)
        self._jwt_secret = jwt_secret
        self._sealer = sealer
        self._tokens: AccessTokens | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(running={self.running})"

    async def on_start(self) -> None:
        secret = self._jwt_secret
        if secret is None:
            secret = await asyncio.to_thread(resolve_jwt_secret, self.ctx.settings)
        previous = resolve_previous_jwt_secrets(self.ctx.settings)
        self._tokens = AccessTokens(secret, self.auth_settings, self.ctx.clock, previous)
        if self._sealer is None:
            master = await asyncio.to_thread(resolve_master_key, self.ctx.settings)
            self._sealer = AesGcmSealer(derive_key(master, TOTP_SEALING_PURPOSE))

    @property
    def tokens(self) -> AccessTokens:
        if self._tokens is None:
            raise Unavailable("the auth service has not been started", code="auth.not_started")
        return self._tokens

    @property
    def sealer(self) -> Sealer:
        if self._sealer is None:
            raise Unavailable("the auth service has not been started", code="auth.not_started")
        return self._sealer

    def now(self) -> datetime:
        return self.ctx.clock.now()

    def locked(self, record: PrincipalRecord, now: datetime) -> bool:
        return record.locked_until is not None and record.locked_until > now

    async def require_principal(self, repo: AuthRepository, principal_id: str) -> PrincipalRecord:
        record = await repo.principal(principal_id)
        if record is None:
            raise errors.principal_not_found(principal_id)
        return record

    def open_totp_secret(self, record: PrincipalRecord) -> str:
        if record.totp_secret is None:
            raise errors.totp_not_enrolled()
        return self.sealer.open(record.totp_secret, totp_aad(record.id)).decode("ascii")

    def seal_totp_secret(self, principal_id: str, secret: str) -> bytes:
        return self.sealer.seal(secret.encode("ascii"), totp_aad(principal_id))

    async def record_failure(self, principal_id: str, error: E) -> E:
        """Count a failed sign-in (locking at the limit) in its own transaction; return `error`."""
        now = self.now()
        async with self.ctx.database.session() as session:
            repo = AuthRepository(session)
            if await repo.count_failure(principal_id) >= self.auth_settings.max_failed_logins:
                record = await self.require_principal(repo, principal_id)
                record.failed_logins = 0
                record.locked_until = now + timedelta(seconds=self.auth_settings.lockout_s)
                record.updated_at = now
                await self.emit(session, "auth.principal.locked", principal_id=principal_id)
        return error

    async def emit(self, session: AsyncSession, topic: str, **payload: Any) -> None:
        """An event written in the same transaction as the change it describes."""
        await self.ctx.outbox.add(session, topic, payload)
