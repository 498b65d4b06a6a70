"""What the keys use cases share: the cached key record, state and usage checks, rate limits,
audit scopes and cache invalidation."""

from __future__ import annotations

from datetime import datetime

from nsl.core.context import ServiceContext
from nsl.core.security import Principal, Role
from nsl.core.service import ServiceBase
from nsl.core.singleflight import SingleFlight
from nsl.services.keys import errors
from nsl.services.keys.auditing import AuditScope
from nsl.services.keys.record import KeyRecord, ParsedRecords, cache_key
from nsl.services.keys.repository import KeysRepository
from nsl.services.keys.usage import UsageCounters

KEY_ROLES = frozenset(Role) - {Role.AUDITOR}
RATE_WINDOW_S = 60
_STATE_ERRORS: dict[str, type[errors.KeyStateConflict]] = {
    "revoked": errors.KeyRevoked,
    "expired": errors.KeyExpired,
    "deleted": errors.KeyDeleted,
    "destroyed": errors.KeyDestroyed,
}


class KeysBase(ServiceBase):
    """Lifecycle and helpers; the use cases live in the mixins."""

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.settings = ctx.settings.keys
        self.usage = UsageCounters()
        self._fills: SingleFlight[str, bytes] = SingleFlight()
        self._parsed = ParsedRecords(ctx.settings.cache.l1_max_entries)

    def now(self) -> datetime:
        return self.ctx.clock.now()

    def audited(self, action: str, principal: Principal | str, key_id: str) -> AuditScope:
        """Metrics and an audit entry for one use case (``principal`` may be a system actor)."""
        actor = principal if isinstance(principal, str) else principal.id
        refusal = None
        if isinstance(principal, Principal) and not principal.has_any(KEY_ROLES):
            refusal = errors.RoleForbidden("the auditor role cannot create or use keys")
        operation = self.operation(action)
        return AuditScope(self.ctx.audit, operation, action, actor, key_id, refusal)

    # the cached record ------------------------------------------------------------------
    async def record(self, key_id: str, principal: Principal) -> KeyRecord:
        """The caller's key (another principal's key is "not found" too)."""
        slot = cache_key(key_id)
        raw = await self.ctx.cache.get(slot)
        if raw is None:
            raw = await self._fills.run(slot, lambda: self._fill(slot, key_id))
        record = self._parsed.parse(key_id, raw)
        if record.owner_id != principal.id:
            raise errors.KeyNotFound(f"no key {key_id!r}")
        return record

    async def _fill(self, slot: str, key_id: str) -> bytes:
        token = await self.ctx.cache.fill_token(slot)
        async with self.ctx.database.session() as session:
            repo = KeysRepository(session)
            row = await repo.key(key_id)
            if row is None:
                raise errors.KeyNotFound(f"no key {key_id!r}")
            raw = KeyRecord.of(row, await repo.versions(key_id)).dumps()
        await self.ctx.cache.fill(slot, raw, token)
        return raw

    async def invalidate(self, key_id: str) -> None:
        """Drop the cached record in every process (after the write committed)."""
        await self.ctx.cache.delete(cache_key(key_id))

    # checks -----------------------------------------------------------------------------
    def check_state(self, status: str, expires_at: float | None) -> None:
        """Only an active, unexpired key may be used or rotated (409 otherwise)."""
        error = _STATE_ERRORS.get(status)
        if error is not None:
            raise error(f"the key is {status}")
        if expires_at is not None and expires_at <= self.now().timestamp():
            raise errors.KeyExpired("the key is expired")

    async def permitted(self, key_id: str, principal: Principal, usage: str) -> KeyRecord:
        """The caller's key, active, with ``usage`` (no rate-limit hit is spent)."""
        record = await self.record(key_id, principal)
        self.check_state(record.status, record.expires_at)
        if usage not in record.usages:
            raise errors.UsageNotAllowed(
                f"the key's usages are {', '.join(sorted(record.usages))}; {usage} is not one"
            )
        return record

    async def usable(self, key_id: str, principal: Principal, usage: str) -> KeyRecord:
        """The caller's key, active, with ``usage``, within its rate limit."""
        record = await self.permitted(key_id, principal, usage)
        limit = record.rate_limit or self.settings.rate_limit_per_minute
        decision = await self.ctx.rate_limiter.hit(f"keys:{key_id}", limit, RATE_WINDOW_S)
        if not decision.allowed:
            raise errors.KeyRateLimited(
                f"more than {limit} operations per minute on this key; "
                f"retry after {decision.retry_after_s}s",
                headers={"Retry-After": str(decision.retry_after_s)},
            )
        return record
