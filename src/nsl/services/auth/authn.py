"""The hot path: turning an API key or a bearer token into a :class:`Principal` on every request.

Bearer tokens are checked against the principal's current state (disabled flag and token
version), read from the shared cache and refreshed from the database every
``auth.api_key_cache_s`` seconds; disabling a principal or changing its roles deletes that
entry in every process, so old tokens stop working at once rather than at expiry.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from nsl.core.errors import NslError
from nsl.core.security import Principal
from nsl.services.auth import errors
from nsl.services.auth.credentials import MAX_CREDENTIAL_LENGTH, digest
from nsl.services.auth.hotcache import CachedKey, PrincipalState
from nsl.services.auth.models import ApiKeyRecord, PrincipalRecord
from nsl.services.auth.repository import AuthRepository
from nsl.services.auth.shared import AuthCore, effective_roles

TOUCH_INTERVAL = timedelta(seconds=60)


def key_problem(key: ApiKeyRecord, principal: PrincipalRecord, now: datetime) -> NslError | None:
    """Why a stored key cannot be used now, or None when it can."""
    if key.revoked_at is not None:
        return errors.revoked_api_key()
    if key.expires_at is not None and key.expires_at <= now:
        return errors.expired_api_key()
    if principal.disabled:
        return errors.principal_disabled()
    return None


class Authentication(AuthCore):
    """``authenticate_api_key`` and ``authenticate_bearer``."""

    async def authenticate_api_key(self, raw: str) -> Principal:
        async with self.operation("authenticate_api_key"):
            if not raw or len(raw) > MAX_CREDENTIAL_LENGTH:
                raise errors.invalid_api_key()
            key_hash = digest(raw)
            now = self.now()
            entry = await self.hot.key(key_hash)
            if entry is None:
                entry = await self.key_loads.run(key_hash, lambda: self._load_key(key_hash, now))
            if entry.expires_at is not None and entry.expires_at <= now.timestamp():
                raise errors.expired_api_key()
            return entry.principal

    async def authenticate_bearer(self, token: str) -> Principal:
        async with self.operation("authenticate_bearer"):
            claims = self.tokens.verify(token)
            state = await self.principal_state(claims.sub)
            if state is None:
                raise errors.invalid_token()
            if state.disabled:
                raise errors.principal_disabled()
            if state.version != claims.ver:
                raise errors.invalid_token(
                    "the access token predates a change to this principal; sign in again"
                )
            return Principal(
                id=claims.sub,
                name=claims.name,
                kind=claims.kind,
                roles=claims.roles,
                method="bearer",
                mfa=claims.mfa,
                credential_id=claims.jti,
            )

    async def principal_state(self, principal_id: str) -> PrincipalState | None:
        state = await self.hot.state(principal_id)
        if state is not None:
            return state
        return await self.state_loads.run(principal_id, lambda: self._load_state(principal_id))

    async def _load_state(self, principal_id: str) -> PrincipalState | None:
        token = await self.hot.state_token(principal_id)
        async with self.ctx.database.session() as session:
            record = await AuthRepository(session).principal(principal_id)
        if record is None:
            return None
        state = PrincipalState(disabled=record.disabled, version=record.token_version)
        await self.hot.fill_state(principal_id, state, token)
        return state

    async def _load_key(self, key_hash: str, now: datetime) -> CachedKey:
        token = await self.hot.key_token(key_hash)
        async with self.ctx.database.session() as session:
            repo = AuthRepository(session)
            found = await repo.key_with_principal(key_hash)
            if found is None:
                raise errors.invalid_api_key()
            key, principal = found
            problem = key_problem(key, principal, now)
            if problem is not None:
                raise problem
            if key.last_used_at is None or now - key.last_used_at >= TOUCH_INTERVAL:
                await repo.touch_key(key.id, now)
        entry = CachedKey(
            key_id=key.id,
            principal_id=principal.id,
            name=principal.name,
            kind=principal.kind,
            roles=effective_roles(principal, key),
            expires_at=key.expires_at.timestamp() if key.expires_at is not None else None,
        )
        await self.hot.fill_key(key_hash, entry, token)
        return entry
