"""Sign-in and sessions: token exchange (API key or password + TOTP), refresh rotation, logout.

Failed sign-ins are counted in their own transaction, then the error is raised, so the count
survives the failure. Unknown names fail and lock exactly like wrong passwords.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from nsl.core.errors import NslError, ValidationFailed
from nsl.core.ids import new_id
from nsl.services.auth import errors, totp
from nsl.services.auth.authn import Authentication, key_problem
from nsl.services.auth.credentials import (
    MAX_CREDENTIAL_LENGTH,
    REFRESH_PREFIX,
    digest,
    new_refresh_token,
)
from nsl.services.auth.models import PrincipalRecord, RefreshTokenRecord
from nsl.services.auth.repository import AuthRepository
from nsl.services.auth.shared import effective_roles


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str

    def __repr__(self) -> str:
        return f"TokenPair(expires_in={self.expires_in}, tokens=<hidden>)"


class Sessions(Authentication):
    """Token exchange, refresh and logout."""

    async def exchange_token(
        self,
        *,
        api_key: str | None = None,
        username: str | None = None,
        password: str | None = None,
        totp_code: str | None = None,
    ) -> TokenPair:
        """Exactly one form: ``api_key``, or ``username`` + ``password`` (+ ``totp_code``)."""
        if api_key is not None:
            for field, value in (
                ("username", username),
                ("password", password),
                ("totp_code", totp_code),
            ):
                if value is not None:
                    raise ValidationFailed.on(
                        field, "exclusive", "give either api_key or username/password"
                    )
            return await self.login_with_api_key(api_key)
        if username is None:
            raise ValidationFailed.on(
                "username", "required", "give api_key, or username and password"
            )
        if password is None:
            raise ValidationFailed.on("password", "required", "a username needs a password")
        return await self.login_with_password(username, password, totp_code)

    async def login_with_api_key(self, raw: str) -> TokenPair:
        principal = await self.authenticate_api_key(raw)
        async with self.operation("login_api_key"), self.ctx.database.session() as session:
            repo = AuthRepository(session)
            record = await self.require_principal(repo, principal.id)
            roles = sorted(r.value for r in principal.roles)
            return self._issue(repo, record, roles, mfa=False, api_key_id=principal.credential_id)

    async def login_with_password(
        self, username: str, password: str, totp_code: str | None = None
    ) -> TokenPair:
        async with self.operation("login_password"):
            now = self.now()
            async with self.ctx.database.session() as session:
                record = await AuthRepository(session).principal_by_name(username)
            if record is None:
                await self.passwords.verify(None, password)
                raise await self._unknown_name(username)
            if self.locked(record, now):
                await self.passwords.verify(None, password)
                raise errors.locked()
            if not await self.passwords.verify(record.password_hash, password):
                raise await self.record_failure(record.id, errors.invalid_credentials())
            if record.disabled:
                raise errors.principal_disabled()
            step = await self._totp_step(record, totp_code, now)
            async with self.ctx.database.session() as session:
                repo = AuthRepository(session)
                fresh = step is None or await repo.claim_totp_step(record.id, step)
                if fresh:
                    pair = await self._signed_in(repo, record, password, mfa=step is not None)
            if not fresh:
                raise await self.record_failure(record.id, errors.invalid_totp())
            return pair

    async def refresh(self, raw: str) -> TokenPair:
        async with self.operation("refresh"):
            if not raw.startswith(REFRESH_PREFIX) or len(raw) > MAX_CREDENTIAL_LENGTH:
                raise errors.invalid_token("the refresh token is not valid")
            now = self.now()
            async with self.ctx.database.session() as session:
                outcome = await self._rotate(AuthRepository(session), digest(raw), now)
            if isinstance(outcome, NslError):
                raise outcome
            return outcome

    async def logout(self, raw: str) -> None:
        """Revoke the refresh token's whole session (idempotent)."""
        async with self.operation("logout"), self.ctx.database.session() as session:
            repo = AuthRepository(session)
            token = await repo.refresh_token(digest(raw))
            if token is None:
                raise errors.invalid_token("the refresh token is not valid")
            await repo.revoke_refresh(self.now(), family_id=token.family_id)

    # internals -------------------------------------------------------------------------
    async def _unknown_name(self, username: str) -> NslError:
        name_hash = digest(username)
        count = await self.name_failures.count(name_hash)
        if count >= self.auth_settings.max_failed_logins:
            return errors.locked()
        await self.name_failures.record(name_hash, count + 1)
        return errors.invalid_credentials()

    async def _totp_step(
        self, record: PrincipalRecord, code: str | None, now: datetime
    ) -> int | None:
        if not record.totp_enabled or record.totp_secret is None:
            return None
        if not code:
            raise errors.totp_required()
        step = totp.matching_step(self.open_totp_secret(record), code, now)
        if step is None:
            raise await self.record_failure(record.id, errors.invalid_totp())
        return step

    async def _signed_in(
        self, repo: AuthRepository, record: PrincipalRecord, password: str, *, mfa: bool
    ) -> TokenPair:
        live = await self.require_principal(repo, record.id)
        if live.failed_logins or live.locked_until is not None:
            live.failed_logins, live.locked_until = 0, None
        if live.password_hash is not None and self.passwords.needs_rehash(live.password_hash):
            live.password_hash = await self.passwords.hash(password)
        return self._issue(repo, live, sorted(live.roles), mfa=mfa, api_key_id=None)

    async def _rotate(
        self, repo: AuthRepository, token_hash: str, now: datetime
    ) -> TokenPair | NslError:
        token = await repo.refresh_token(token_hash)
        if token is None or token.revoked_at is not None:
            return errors.invalid_token("the refresh token is not valid")
        if token.used_at is not None:
            await repo.revoke_refresh(now, family_id=token.family_id)
            return errors.refresh_reused()
        if token.expires_at <= now:
            return errors.expired_token("the refresh token has expired")
        if not await repo.use_refresh_token(token.id, now):
            await repo.revoke_refresh(now, family_id=token.family_id)
            return errors.refresh_reused()
        record = await self.require_principal(repo, token.principal_id)
        if record.disabled:
            return errors.principal_disabled()
        key = await repo.key(token.api_key_id) if token.api_key_id is not None else None
        problem = key_problem(key, record, now) if key is not None else None
        if problem is not None:
            return problem
        roles = effective_roles(record, key)
        return self._issue(repo, record, roles, token.mfa, token.api_key_id, token.family_id)

    def _issue(
        self,
        repo: AuthRepository,
        record: PrincipalRecord,
        roles: list[str],
        mfa: bool,
        api_key_id: str | None,
        family_id: str | None = None,
    ) -> TokenPair:
        now = self.now()
        raw = new_refresh_token()
        repo.add(
            RefreshTokenRecord(
                id=new_id("r_"),
                principal_id=record.id,
                api_key_id=api_key_id,
                hash=digest(raw),
                family_id=family_id or new_id("f_"),
                mfa=mfa,
                created_at=now,
                expires_at=now + timedelta(seconds=self.auth_settings.refresh_token_ttl_s),
                used_at=None,
                revoked_at=None,
            )
        )
        access = self.tokens.issue(
            sub=record.id,
            name=record.name,
            kind=record.kind,
            roles=roles,
            mfa=mfa,
            ver=record.token_version,
        )
        return TokenPair(access, self.tokens.ttl_s, raw)
