"""What the automation use cases share: settings, metrics, ownership and job secrets."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from nsl.core.context import ServiceContext
from nsl.core.enclave import SealContext
from nsl.core.security import Principal, Role
from nsl.core.service import ServiceBase
from nsl.services.automation.errors import not_found
from nsl.services.automation.models import Job
from nsl.services.automation.repository import AutomationRepository
from nsl.services.automation.telemetry import automation_metrics

SECRET_CACHE = 16384
UNSEALS_AT_ONCE = 8


def seal_context(job_id: str) -> SealContext:
    return SealContext("automation", f"job/{job_id}")


def sees_all(principal: Principal) -> bool:
    return Role.ADMIN in principal.roles


def owner_principal(job: Job) -> Principal:
    """The job's owner as it was when the job was made: actions run on its behalf."""
    owner = job.owner
    return Principal(
        id=job.owner_id,
        name=str(owner.get("name", "")),
        kind=str(owner.get("kind", "user")),
        roles=frozenset(Role(r) for r in owner.get("roles", [])),
        method="automation",
    )


class AutomationBase(ServiceBase):
    """Lifecycle-free helpers; the use cases live in the subclasses."""

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.settings = ctx.settings.automation
        self.telemetry = automation_metrics(ctx.metrics)
        self._secrets: OrderedDict[str, str] = OrderedDict()
        self._unsealing = asyncio.Semaphore(UNSEALS_AT_ONCE)

    async def owned(self, repo: AutomationRepository, job_id: str, principal: Principal) -> Job:
        """The caller's job (any job for an admin); anyone else's is not found."""
        row = await repo.job(job_id)
        if row is None or (row.owner_id != principal.id and not sees_all(principal)):
            raise not_found(job_id)
        return row

    async def secret(self, job: Job) -> str:
        """The job's HMAC secret, unsealed by the enclave (then kept in memory)."""
        known = self._secrets.get(job.id)
        if known is not None:
            self._secrets.move_to_end(job.id)
            return known
        async with self._unsealing:  # a burst of cold secrets must not drain the DB pool
            sealed = job.secret_sealed
            opened = (await self.ctx.enclave.unseal(seal_context(job.id), sealed)).decode()
        self._secrets[job.id] = opened
        if len(self._secrets) > SECRET_CACHE:
            self._secrets.popitem(last=False)
        return opened

    def private_allowed(self) -> bool:
        allowed = self.settings.allow_private_webhooks
        return allowed if allowed is not None else self.ctx.settings.env != "production"
