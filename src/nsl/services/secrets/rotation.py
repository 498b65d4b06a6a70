"""Rotation reminders: a periodic task emits ``secrets.rotation_due`` once per version whose age
passed its secret's rotation period, through the outbox, and sets the gauge of due secrets."""

from __future__ import annotations

import logging

from prometheus_client import Gauge

from nsl.core.metrics import Metrics
from nsl.services.secrets.base import SecretsBase
from nsl.services.secrets.repository import SecretsRepository

log = logging.getLogger(__name__)

ROTATION_DUE = "secrets.rotation_due"
TASK = "rotation"
BATCH = 200


def due_gauge(metrics: Metrics) -> Gauge:
    """``nsl_secrets_rotation_due_secrets`` on this process's registry (registered once)."""
    return metrics.family(
        "secrets.rotation_due",
        lambda registry: Gauge(
            "nsl_secrets_rotation_due_secrets",
            "Secrets whose current version is older than its rotation period.",
            registry=registry,
        ),
    )


class RotationUseCases(SecretsBase):
    async def announce_rotations(self) -> int:
        """Emit one event per newly due version; returns how many were announced."""
        async with self.operation("announce_rotations"):
            now, announced = self.ctx.clock.now(), 0
            while True:
                async with self.ctx.database.session() as session:
                    due = await SecretsRepository(session).due_for_rotation(now, BATCH)
                    for secret in due:
                        payload = {
                            "path": secret.path,
                            "version": secret.current_version,
                            "due_at": secret.rotation_due_at.isoformat()
                            if secret.rotation_due_at
                            else None,
                            "owner": secret.owner_id,
                        }
                        await self.ctx.outbox.add(session, ROTATION_DUE, payload)
                        secret.rotation_announced_version = secret.current_version
                announced += len(due)
                if len(due) < BATCH:
                    break
            async with self.ctx.database.session() as session:
                count = await SecretsRepository(session).count_due(now)
            due_gauge(self.ctx.metrics).set(count)
            if announced:
                log.info("secrets: %d secret version(s) due for rotation announced", announced)
            return announced
