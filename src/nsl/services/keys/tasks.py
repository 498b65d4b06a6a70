"""Periodic maintenance: rotate keys whose period is due, expire keys past ``expires_at``,
destroy keys past their deletion grace period, and flush usage counters.

Every step is a conditional update, so processes running the same task at once do each
change once. Destroying a key first marks it ``destroyed`` (metadata and public keys are
kept, the name is released), then destroys each version's enclave key; a crash in between is
finished by the next run.
"""

from __future__ import annotations

import contextlib
import logging

from nsl.core.enclave import EnclaveKeyUnknown
from nsl.core.errors import NslError
from nsl.services.keys.auditing import SYSTEM_ACTOR
from nsl.services.keys.errors import ConcurrentChange
from nsl.services.keys.lifecycle import LifecycleUseCases
from nsl.services.keys.repository import KeysRepository

log = logging.getLogger(__name__)
BATCH = 100


class MaintenanceFailed(NslError):
    code = "keys.maintenance_failed"


class MaintenanceTasks(LifecycleUseCases):
    def schedule(self) -> None:
        every = self.settings.maintenance_interval_s
        self.every(every, "rotate", self.rotate_due)
        self.every(every, "expire", self.expire_due)
        self.every(every, "destroy", self.destroy_due)
        self.every(self.settings.usage_flush_interval_s, "flush_usage", self.flush_usage)

    async def rotate_due(self) -> None:
        async with self.ctx.database.session() as session:
            rows = await KeysRepository(session).due_rotation(self.now(), BATCH)
        failed = 0
        for row in rows:
            try:
                async with self.audited("auto-rotate", SYSTEM_ACTOR, row.id) as audit:
                    audit.version = row.current_version + 1
                    await self.rotate_row(row)
            except ConcurrentChange:
                continue  # another process rotated it, or its state changed meanwhile
            except NslError as exc:
                failed += 1
                log.warning("automatic rotation of key %s failed: %s", row.id, exc.detail)
        if failed:
            raise MaintenanceFailed(f"{failed} of {len(rows)} due rotations failed")

    async def expire_due(self) -> None:
        now = self.now()
        async with self.ctx.database.session() as session:
            ids = await KeysRepository(session).due_expiry(now, BATCH)
        for key_id in ids:
            async with (
                self.audited("expire", SYSTEM_ACTOR, key_id),
                self.ctx.database.session() as session,
            ):
                await KeysRepository(session).set_status(
                    key_id, "active", status="expired", updated_at=now
                )
            await self.invalidate(key_id)

    async def destroy_due(self) -> None:
        now = self.now()
        async with self.ctx.database.session() as session:
            ids = await KeysRepository(session).due_destroy(now, BATCH)
        for key_id in ids:
            async with self.ctx.database.session() as session:
                await KeysRepository(session).mark_destroyed(key_id, now)
            await self.invalidate(key_id)
        async with self.ctx.database.session() as session:
            versions = await KeysRepository(session).undestroyed_versions(BATCH)
        for version in versions:
            async with self.audited("destroy", SYSTEM_ACTOR, version.key_id) as audit:
                audit.version = version.version
                # EnclaveKeyUnknown: an earlier run destroyed it and stopped before recording it
                with contextlib.suppress(EnclaveKeyUnknown):
                    await self.ctx.enclave.destroy_key(version.enclave_ref)
                async with self.ctx.database.session() as session:
                    await KeysRepository(session).mark_version_destroyed(
                        version.key_id, version.version
                    )
            await self.invalidate(version.key_id)

    async def flush_usage(self) -> None:
        """Add this process's counted uses to the stored counters (one transaction)."""
        batch = self.usage.drain()
        if not batch:
            return
        try:
            async with self.ctx.database.session() as session:
                repo = KeysRepository(session)
                for key_id, tally in sorted(batch.items()):
                    if tally.last_used is not None:
                        await repo.add_usage(key_id, tally.counts, tally.last_used)
        except BaseException:
            self.usage.put_back(batch)
            raise
