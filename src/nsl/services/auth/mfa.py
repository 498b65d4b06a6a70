"""TOTP second factor: enrol, confirm, disable, and ``verify_totp`` for sensitive operations.

The secret is sealed at rest; each accepted code's time step is recorded so no code is
accepted twice. Wrong codes count towards the sign-in lockout.
"""

from __future__ import annotations

from dataclasses import dataclass

from nsl.services.auth import errors, totp
from nsl.services.auth.repository import AuthRepository
from nsl.services.auth.shared import AuthCore


@dataclass(frozen=True)
class TotpEnrollment:
    secret: str
    otpauth_uri: str

    def __repr__(self) -> str:
        return "TotpEnrollment(secret=<hidden>)"


class Mfa(AuthCore):
    """TOTP use cases."""

    async def enroll_totp(self, principal_id: str) -> TotpEnrollment:
        """Start enrolment: a new pending secret, replacing any earlier pending one."""
        async with self.operation("totp_enroll"), self.ctx.database.session() as session:
            record = await self.require_principal(AuthRepository(session), principal_id)
            if record.kind != "user":
                raise errors.totp_state("only user principals use TOTP")
            if record.totp_enabled:
                raise errors.totp_state("TOTP is already enabled; disable it first")
            secret = totp.new_secret()
            record.totp_secret = self.seal_totp_secret(record.id, secret)
            record.totp_last_step = None
            record.updated_at = self.now()
            return TotpEnrollment(secret, totp.provisioning_uri(secret, record.name))

    async def confirm_totp(self, principal_id: str, code: str) -> None:
        """Enable TOTP once the authenticator shows a valid code for the pending secret."""
        async with self.operation("totp_confirm"):
            now = self.now()
            async with self.ctx.database.session() as session:
                repo = AuthRepository(session)
                record = await self.require_principal(repo, principal_id)
                if record.totp_enabled:
                    raise errors.totp_state("TOTP is already enabled")
                if record.totp_secret is None:
                    raise errors.totp_state("no pending TOTP enrolment; enrol first")
                step = totp.matching_step(self.open_totp_secret(record), code, now)
                if step is None:
                    raise errors.invalid_totp()
                record.totp_enabled = True
                record.totp_last_step = step
                record.updated_at = now
                await self.emit(session, "auth.totp.enabled", principal_id=record.id)

    async def disable_totp(self, principal_id: str, code: str) -> None:
        async with self.operation("totp_disable"):
            await self._use_code(principal_id, code)
            async with self.ctx.database.session() as session:
                record = await self.require_principal(AuthRepository(session), principal_id)
                record.totp_enabled = False
                record.totp_secret = None
                record.totp_last_step = None
                record.updated_at = self.now()
                await self.emit(session, "auth.totp.disabled", principal_id=record.id)

    async def verify_totp(self, principal_id: str, code: str) -> None:
        """Raise unless ``code`` is a fresh valid TOTP code of this principal."""
        async with self.operation("verify_totp"):
            await self._use_code(principal_id, code)

    async def _use_code(self, principal_id: str, code: str) -> None:
        now = self.now()
        async with self.ctx.database.session() as session:
            repo = AuthRepository(session)
            record = await self.require_principal(repo, principal_id)
            if not record.totp_enabled:
                raise errors.totp_not_enrolled()
            if self.locked(record, now):
                raise errors.locked()
            step = totp.matching_step(self.open_totp_secret(record), code, now)
            accepted = step is not None and await repo.claim_totp_step(record.id, step)
        if not accepted:
            raise await self.record_failure(principal_id, errors.invalid_totp())
