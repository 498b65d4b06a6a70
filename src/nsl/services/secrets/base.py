"""What the secrets use cases share: the wrapping key, access checks, auditing and retries."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from nsl.adapters.wrapping_key import wrapping_key
from nsl.core.audit import AuditEntry
from nsl.core.audited import outcome_of
from nsl.core.context import ServiceContext
from nsl.core.errors import Unavailable
from nsl.core.health import Check, Status
from nsl.core.security import Principal
from nsl.core.service import ServiceBase
from nsl.services.secrets.errors import CapabilityMissing, ConcurrentChange, not_found
from nsl.services.secrets.models import SecretKeyringRecord, SecretRecord
from nsl.services.secrets.policy import Capability, Effect, Rule, capabilities, subjects_of
from nsl.services.secrets.repository import SecretsRepository

WRITE_ATTEMPTS = 10
TARGET_PATH_MAX = 480  # the audit target column holds 512
T = TypeVar("T")


@dataclass
class AuditNote:
    """What a use case tells the audit entry it will end with: target, data hash, details."""

    target: str
    data_hash: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def at(self, path: str, version: int | None = None) -> None:
        self.target = target(path, version)


def target(path: str, version: int | None = None) -> str:
    """``secret/<path>[/v<version>]``, long paths shortened with a digest to fit the column."""
    if len(path) > TARGET_PATH_MAX:
        digest = hashlib.sha256(path.encode()).hexdigest()[:16]
        path = f"{path[: TARGET_PATH_MAX - 17]}~{digest}"
    return f"secret/{path}/v{version}" if version else f"secret/{path}"


class SecretsBase(ServiceBase):
    """Lifecycle and helpers; the use cases live in the subclasses."""

    _key_ref: str | None = None

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.settings = ctx.settings.secrets

    async def on_start(self) -> None:
        self._key_ref = await wrapping_key(
            self.ctx.database, self.ctx.enclave, self.ctx.clock, SecretKeyringRecord, "secrets"
        )

    async def on_stop(self) -> None:
        self._key_ref = None

    async def checks(self) -> list[Check]:
        loaded = self._key_ref is not None
        return [Check("secrets.wrapping_key", Status.OK if loaded else Status.DOWN)]

    @property
    def key_ref(self) -> str:
        if self._key_ref is None:
            raise Unavailable("the secrets service is not started", code="secrets.stopped")
        return self._key_ref

    # access -----------------------------------------------------------------------------
    async def rules_for(self, repo: SecretsRepository, principal: Principal) -> list[Rule]:
        rows = await repo.policies_for(subjects_of(principal))
        return [
            Rule(
                r.pattern,
                r.subject,
                frozenset(Capability(c) for c in r.capabilities),
                Effect(r.effect),
            )
            for r in rows
        ]

    async def access(
        self,
        repo: SecretsRepository,
        principal: Principal,
        path: str,
        need: Capability,
        *,
        lock: bool = False,
    ) -> SecretRecord:
        """The secret at ``path`` if the caller holds ``need`` on it (see :meth:`authorize`)."""
        secret = await repo.secret(path, lock=lock)
        return await self.authorize(repo, principal, secret, path, need)

    async def authorize(
        self,
        repo: SecretsRepository,
        principal: Principal,
        secret: SecretRecord | None,
        path: str,
        need: Capability,
    ) -> SecretRecord:
        """No capability at all, or no such secret: 404 (nothing said about existence).
        Some capability but not ``need``: 403."""
        if secret is None:
            raise not_found(path)
        granted = self.granted(secret, principal, await self.rules_for(repo, principal))
        if not granted:
            raise not_found(path)
        if need not in granted:
            raise CapabilityMissing(f"you may not {need.value} the secret at {path!r}")
        return secret

    def granted(
        self, secret: SecretRecord, principal: Principal, rules: list[Rule]
    ) -> frozenset[Capability]:
        return capabilities(secret.path, owner=secret.owner_id == principal.id, rules=rules)

    def may_create(self, path: str, rules: list[Rule]) -> bool:
        """A new path: its creator would own it, unless a deny policy takes ``write`` away."""
        return Capability.WRITE in capabilities(path, owner=True, rules=rules)

    # settings in effect ------------------------------------------------------------------
    def max_versions(self, secret: SecretRecord) -> int:
        return secret.max_versions or self.settings.max_versions

    def rotation_days(self, secret: SecretRecord) -> int:
        days = secret.rotation_period_days
        return self.settings.rotation_days if days is None else days

    def rotation_due(self, secret: SecretRecord, written_at: datetime | None) -> datetime | None:
        days = self.rotation_days(secret)
        if written_at is None or days == 0:
            return None
        return written_at + timedelta(days=days)

    # audit and retries -----------------------------------------------------------------
    @asynccontextmanager
    async def audited(
        self, principal: Principal, action: str, path: str
    ) -> AsyncIterator[AuditNote]:
        """Record the use case's outcome (``ok`` or the error code) in the audit trail; a
        successful read returns only after its entry is durable."""
        note = AuditNote(target(path))
        try:
            yield note
        except Exception as exc:
            await self._record(principal, action, note, outcome_of(exc))
            raise
        await self._record(principal, action, note, "ok")

    async def _record(
        self, principal: Principal, action: str, note: AuditNote, outcome: str
    ) -> None:
        entry = AuditEntry(
            principal.id, self.name, action, note.target, outcome, note.data_hash, note.details
        )
        await self.ctx.audit.record(entry)

    async def retrying(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run a write transaction again when a concurrent writer created the same row first."""
        for _ in range(WRITE_ATTEMPTS - 1):
            try:
                return await attempt()
            except ConcurrentChange:
                continue
        return await attempt()
