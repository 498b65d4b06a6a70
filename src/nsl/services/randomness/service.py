"""Randomness use cases: generate (persist pending, prove, self-check, store), read, list, verify.

Every request is written ``pending`` before the enclave proves anything; a request whose
process died is fulfilled by the ``fulfil-pending`` task. VRF proofs are deterministic, so a
retry, a replayed ``request_id`` or a concurrent fulfiller all give the same answer.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any, ClassVar

from fastapi import APIRouter

from nsl.core.audited import AuditScope
from nsl.core.context import ServiceContext
from nsl.core.errors import NslError
from nsl.core.health import Check
from nsl.core.ids import new_id
from nsl.core.security import Principal
from nsl.core.service import ServiceBase
from nsl.enclave.ecvrf import suite_for
from nsl.services.contracts.client import ContractsClient
from nsl.services.randomness import fulfilment, publishing, rules, verification
from nsl.services.randomness.auditing import SYSTEM_ACTOR, audit_scope
from nsl.services.randomness.errors import RequestFailed, RequestIdReused, RequestNotFound
from nsl.services.randomness.models import RandomnessRequest
from nsl.services.randomness.repository import (
    FAILED,
    FULFILLED,
    PENDING,
    DuplicateRequest,
    RandomnessRepository,
)
from nsl.services.randomness.router import build_router
from nsl.services.randomness.schemas import GenerateBody, VerifyBody
from nsl.services.randomness.views import key_view, page, request_view
from nsl.services.randomness.vrfkeys import VrfKey, VrfKeyring

log = logging.getLogger(__name__)

RETRY_INTERVAL_S = 5.0  # how often the fulfil-pending task runs
STALE_AFTER_S = 5.0  # a pending request older than this is retried by the task
RETRY_BATCH = 100
MAX_ATTEMPTS = 10  # then the request is marked failed, with its last error


class RandomnessService(ServiceBase):
    """Verifiable random values (ECVRF, RFC 9381) from keys held in the enclave."""

    name: ClassVar[str] = "randomness"
    phase: ClassVar[int] = 2
    depends_on: ClassVar[tuple[str, ...]] = ("auth",)
    description: ClassVar[str] = "verifiable randomness (ECVRF)"

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.keyring = VrfKeyring(ctx)
        self.every(RETRY_INTERVAL_S, "fulfil-pending", self.fulfil_pending)

    async def on_start(self) -> None:
        await self.keyring.load()

    async def on_stop(self) -> None:
        self.keyring.clear()

    async def checks(self) -> list[Check]:
        return [self.keyring.check()]

    def routes(self) -> APIRouter:
        return build_router(self)

    def audited(self, action: str, actor: str, target: str, data: bytes) -> AuditScope:
        return audit_scope(self.ctx.audit, self.operation(action), action, actor, target, data)

    # generate ---------------------------------------------------------------------------
    async def generate(self, body: GenerateBody, *, principal: Principal) -> dict[str, Any]:
        """Values for ``alpha`` with their proof; a repeated ``request_id`` returns the same."""
        suite = suite_for(body.suite)
        alpha = rules.hex_bytes(body.alpha, "alpha", min_bytes=1, max_bytes=rules.ALPHA_MAX_BYTES)
        draw = rules.draw(body.count, body.min_value, body.max_value)
        given = body.request_id is not None
        request_id = rules.request_id(body.request_id) if body.request_id is not None else new_id()
        key = self.keyring.key(suite.name)
        target = f"request/{request_id}"
        async with self.audited("generate", principal.id, target, alpha) as scope:
            row, replay = await self._admit(principal.id, request_id, key, alpha, draw, given)
            scope.details.update(suite=suite.name, count=draw.count, replay=replay)
            if row.status == PENDING:
                row = await self._fulfil(row)
            if row.status == FAILED:
                raise RequestFailed(f"request {request_id} failed: {row.error}")
            return request_view(row)

    async def _admit(
        self,
        owner: str,
        request_id: str,
        key: VrfKey,
        alpha: bytes,
        draw: rules.Draw,
        given: bool,
    ) -> tuple[RandomnessRequest, bool]:
        """The stored request (a replay) or a new ``pending`` one, committed before proving."""
        existing = await self._request(owner, request_id) if given else None
        if existing is None:
            row = RandomnessRequest(
                id=new_id(),
                owner_id=owner,
                request_id=request_id,
                suite=key.suite,
                key_ref=key.key_ref,
                public_key=key.public_key,
                alpha=alpha,
                count=draw.count,
                min_value=str(draw.low),
                max_value=str(draw.high),
                status=PENDING,
                attempts=0,
                created_at=self.ctx.clock.now(),
            )
            try:
                async with self.ctx.database.session() as session:
                    await RandomnessRepository(session).add_request(row)
                return row, False
            except DuplicateRequest:  # a concurrent call with the same request_id won
                existing = await self._request(owner, request_id)
                if existing is None:
                    raise
        same = (existing.suite, existing.alpha, existing.count) == (key.suite, alpha, draw.count)
        if not same or (int(existing.min_value), int(existing.max_value)) != (draw.low, draw.high):
            raise RequestIdReused(
                f"request_id {request_id!r} already names a request with other parameters"
            )
        return existing, True

    async def _request(self, owner: str, request_id: str) -> RandomnessRequest | None:
        async with self.ctx.database.session() as session:
            return await RandomnessRepository(session).request(owner, request_id)

    async def _fulfil(self, row: RandomnessRequest) -> RandomnessRequest:
        """Prove, self-check and store; a failure is counted on the request and raised."""
        try:
            result = await fulfilment.prove(self.ctx.enclave, row)
        except Exception as exc:
            code = exc.code if isinstance(exc, NslError) else "internal.error"
            give_up = row.attempts + 1 >= MAX_ATTEMPTS or code == "randomness.self_check_failed"
            async with self.ctx.database.session() as session:
                await RandomnessRepository(session).note_failure(row.id, code, give_up)
            raise
        now = self.ctx.clock.now()
        async with self.ctx.database.session() as session:
            repo = RandomnessRepository(session)
            if await repo.fulfil(row.id, result.beta, result.proof, result.values, now):
                _apply(row, result, now)
                return row
            stored = await repo.request_by_id(row.id)  # another fulfiller (or give-up) came first
        if stored is None:  # pragma: no cover - rows are never deleted
            raise RequestNotFound(f"request {row.request_id} vanished")
        return stored

    # the periodic task ------------------------------------------------------------------
    async def fulfil_pending(self) -> None:
        """Fulfil requests left pending (their process died, or the enclave failed)."""
        before = self.ctx.clock.now() - timedelta(seconds=STALE_AFTER_S)
        async with self.ctx.database.session() as session:
            rows = await RandomnessRepository(session).stale_pending(before, RETRY_BATCH)
        failures = 0
        for row in rows:
            target = f"request/{row.request_id}"
            try:
                async with self.audited("fulfil", SYSTEM_ACTOR, target, row.alpha) as scope:
                    scope.details.update(owner=row.owner_id, suite=row.suite)
                    await self._fulfil(row)
            except Exception as exc:  # noqa: BLE001 - counted on the row; the others still run
                failures += 1
                log.warning("randomness request %s not fulfilled: %s", row.id, exc)
        if failures:
            raise RuntimeError(f"{failures} of {len(rows)} pending requests not fulfilled")

    # on chain ---------------------------------------------------------------------------
    async def publish(
        self, request_id: str, body: publishing.PublishBody, *, principal: Principal
    ) -> dict[str, Any]:
        """Send a fulfilled request's output to a consumer contract (``fulfill``)."""
        async with self.operation("publish"):
            row = await self._request(principal.id, request_id)
            if row is None:
                raise RequestNotFound(f"no randomness request {request_id!r}")
            return await publishing.publish(ContractsClient(self.ctx), row, body, principal)

    # reads ------------------------------------------------------------------------------
    async def get(self, request_id: str, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("get"):
            row = await self._request(principal.id, request_id)
            if row is None:
                raise RequestNotFound(f"no randomness request {request_id!r}")
            return request_view(row)

    async def list_requests(
        self, *, principal: Principal, status: str | None, page_number: int, page_size: int
    ) -> dict[str, Any]:
        async with self.operation("list"):
            rules.paging(page_number, page_size)
            status = rules.status(status)
            async with self.ctx.database.session() as session:
                repo = RandomnessRepository(session)
                total = await repo.count(principal.id, status)
                rows = await repo.requests(
                    principal.id, status, (page_number - 1) * page_size, page_size
                )
                items = [request_view(r) for r in rows]
            return page(items, total, page_number, page_size)

    def keys(self) -> dict[str, Any]:
        return {"items": [key_view(k) for _, k in sorted(self.keyring.keys.items())]}

    # verify -----------------------------------------------------------------------------
    async def verify(self, body: VerifyBody, *, principal: Principal) -> dict[str, Any]:
        """A pure check anyone may call; an invalid proof is ``valid: false``, not an error."""
        claim = verification.parse(body)
        target = f"proof/{hashlib.sha256(claim.proof).hexdigest()[:32]}"
        async with self.audited("verify", principal.id, target, claim.alpha) as scope:
            result = verification.check(claim)
            scope.details.update(suite=result["suite"], valid=result["valid"])
            return result


def _apply(row: RandomnessRequest, result: fulfilment.Result, now: datetime) -> None:
    """Mirror on the loaded row what :meth:`RandomnessRepository.fulfil` just stored."""
    row.status = FULFILLED
    row.beta, row.proof, row.values = result.beta, result.proof, result.values
    row.error, row.fulfilled_at, row.attempts = None, now, row.attempts + 1
