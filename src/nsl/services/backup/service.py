"""The ``backup`` service: scheduled database, keys and configuration backups, pruning, metrics.

Full database backups daily at ``full_at`` (UTC), incrementals every ``incremental_interval_s``
(SQLite pages; PostgreSQL physical: WAL), keys every ``keys_interval_s`` when they changed,
configuration on every ``configuration.changed``/``configuration.deleted`` event (coalesced),
pruning daily at ``prune_at``. Scheduled runs hold a lease so one process runs each.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, ClassVar

from fastapi import APIRouter

from nsl.core.context import ServiceContext
from nsl.core.errors import NslError
from nsl.core.health import Check, Status
from nsl.core.ports import Event
from nsl.core.service import ServiceBase
from nsl.services.backup import wal
from nsl.services.backup.coalesce import Coalescer
from nsl.services.backup.engine import PG_INCREMENTAL_METHODS, BackupEngine
from nsl.services.backup.errors import InvalidInput
from nsl.services.backup.manifest import Manifest
from nsl.services.backup.recovery import configured_public_key
from nsl.services.backup.router import build_router
from nsl.services.backup.schedule import due
from nsl.services.backup.telemetry import backup_metrics

log = logging.getLogger(__name__)
CONSUMER = "backup"
CONFIG_TOPICS = ("configuration.changed", "configuration.deleted")
TRIGGERABLE = ("full", "incremental", "keys", "config")
# metric label -> manifest kinds whose newest complete backup seeds the gauge at start; a full
# backup is also the newest point an incremental chain restores to (a fresh install is not late)
SEEDS = {
    "full": ("database-full", "database-base"),
    "incremental": ("database-incremental", "database-full", "database-base"),
    "keys": ("keys",),
    "config": ("config",),
}


class BackupService(ServiceBase):
    name: ClassVar[str] = "backup"
    phase: ClassVar[int] = 3
    depends_on: ClassVar[tuple[str, ...]] = ("auth",)
    description: ClassVar[str] = "encrypted database, key and configuration backups"

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.settings = ctx.settings.backup
        self.telemetry = backup_metrics(ctx.metrics)
        self._engine: BackupEngine | None = None
        self._last_prune: datetime | None = None
        self._config = Coalescer(lambda: self.run("config"), self.settings.config_coalesce_s)
        self.every(self.settings.scheduler_tick_s, "daily", self.daily)
        self.every(self.settings.incremental_interval_s, "incremental", self.scheduled_incremental)
        self.every(self.settings.keys_interval_s, "keys", self.scheduled_keys)
        self.every(self.settings.keys_interval_s, "config-check", self.scheduled_config_check)
        if self.settings.postgres_method == "physical" and self.settings.wal_spool_dir:
            self.every(self.settings.wal_ship_interval_s, "wal-ship", self.scheduled_wal_ship)

    @property
    def engine(self) -> BackupEngine:
        if self._engine is None:
            self._engine = BackupEngine(
                self.ctx.settings, database=self.ctx.database, clock=self.ctx.clock
            )
        return self._engine

    def routes(self) -> APIRouter:
        return build_router(self)

    async def on_start(self) -> None:
        _ = self.engine  # resolve the master key and targets now: fail fast
        await asyncio.to_thread(self._seed_metrics)
        for topic in CONFIG_TOPICS:
            await self.ctx.bus.subscribe(CONSUMER, topic, self.on_configuration_event)

    async def checks(self) -> list[Check]:
        """Keys backups are opt-in (they need a recovery key ceremony): said, not degraded."""
        try:
            configured_public_key(self.ctx.settings)
        except InvalidInput:
            return [Check("backup.keys", Status.OK, "off: no recovery public key configured")]
        return [Check("backup.keys", Status.OK, "encrypted to the recovery key")]

    # use cases ------------------------------------------------------------------------------
    async def run(self, kind: str) -> Manifest:
        """One backup of ``kind`` (full|incremental|keys|config) with metrics; raises on failure."""
        if kind not in TRIGGERABLE:
            raise InvalidInput.on("kind", "one_of", f"kind must be one of {', '.join(TRIGGERABLE)}")
        actions: dict[str, Callable[[], Awaitable[Manifest]]] = {
            "full": self.engine.full,
            "incremental": self.engine.incremental,
            "keys": self.engine.keys,
            "config": self.engine.config,
        }
        label = kind  # the alert rules key on full|incremental|keys|config (and wal)
        started = time.monotonic()
        async with self.operation(f"backup_{kind}"):
            try:
                manifest = await actions[kind]()
            except NslError:
                self.telemetry.failures.labels(label, "all").inc()
                raise
        self.telemetry.duration.labels(label).observe(time.monotonic() - started)
        self.telemetry.bytes.labels(label).inc(manifest.stored_bytes * len(manifest.targets))
        for target in manifest.failed_targets:
            self.telemetry.failures.labels(label, target).inc()
        if manifest.status == "complete":
            self.telemetry.last_success.labels(label).set(manifest.created.timestamp())
            if kind == "full" and "incremental" in self._kinds_taken():
                self.telemetry.last_success.labels("incremental").set(manifest.created.timestamp())
        else:
            log.error("backup %s not written to %s", manifest.id, sorted(manifest.failed_targets))
        return manifest

    async def trigger(self, kind: str) -> dict[str, Any]:
        return (await self.run(kind)).public()

    async def list_backups(self, kind: str | None = None) -> dict[str, Any]:
        manifests = await asyncio.to_thread(self.engine.manifests, kind)
        return {"backups": [m.public() for m in manifests]}

    async def get_backup(self, backup_id: str) -> dict[str, Any]:
        return (await asyncio.to_thread(self.engine.store.get, backup_id)).public()

    async def verify(self, backup_id: str) -> dict[str, Any]:
        async with self.operation("verify"):
            return await self.engine.verify(backup_id)

    async def on_configuration_event(self, event: Event) -> None:
        """Returns once a config backup that started after the event is written (RPO 0)."""
        await self._config.request()

    # scheduled ------------------------------------------------------------------------------
    async def _leased(self, name: str, work: Callable[[], Awaitable[object]]) -> None:
        lease = f"backup/{name}"
        if not await self.ctx.leases.try_acquire(
            lease, self.ctx.instance_id, self.settings.lease_ttl_s
        ):
            return
        try:
            await work()
        finally:
            await self.ctx.leases.release(lease, self.ctx.instance_id)

    async def daily(self) -> None:
        now = self.ctx.clock.now()
        kind = "database-full"
        if self.engine.source.engine == "postgresql" and self.settings.postgres_method != "logical":
            kind = "database-base"
        newest = await asyncio.to_thread(self.engine.store.latest, kind, self.engine.source.engine)
        if due(newest.created if newest else None, now, self.settings.full_at):
            await self._leased("full", lambda: self.run("full"))
        if due(self._last_prune, now, self.settings.prune_at):
            await self._leased("prune", self.engine.prune)
            self._last_prune = now

    async def scheduled_incremental(self) -> None:
        if self.engine.source.engine == "postgresql":
            if self.settings.postgres_method not in PG_INCREMENTAL_METHODS or (
                self.settings.postgres_method == "logical"
            ):
                return  # logical: fulls only (documented); physical ships WAL
        elif await asyncio.to_thread(self.engine.store.latest, "database-full", "sqlite") is None:
            await self._leased("full", lambda: self.run("full"))
            return
        await self._leased("incremental", lambda: self.run("incremental"))

    async def scheduled_wal_ship(self) -> None:
        """PostgreSQL physical: ship the archived WAL in the spool to every target."""
        if self.engine.source.engine == "postgresql":
            await self._leased("wal-ship", self.ship_wal)

    async def ship_wal(self) -> None:
        async with self.operation("wal_ship"):
            try:
                result = await asyncio.to_thread(wal.ship, self.ctx.settings, self.engine.store)
            except NslError:
                self.telemetry.failures.labels("wal", "all").inc()
                raise
        for manifest in result.manifests:
            self.telemetry.bytes.labels("wal").inc(manifest.stored_bytes * len(manifest.targets))
            for target in manifest.failed_targets:
                self.telemetry.failures.labels("wal", target).inc()
            if manifest.status == "complete":
                self.telemetry.last_success.labels("wal").set(manifest.created.timestamp())

    async def scheduled_keys(self) -> None:
        try:
            configured_public_key(self.ctx.settings)
        except InvalidInput:
            return  # reported by the health check
        if await self.engine.keys_changed():
            await self._leased("keys", lambda: self.run("keys"))
        else:  # the newest keys backup still holds every key: the recovery point is now
            self.telemetry.last_success.labels("keys").set(self.ctx.clock.now().timestamp())

    async def scheduled_config_check(self) -> None:
        """Safety net for lost events: back up configuration that differs from the newest
        config backup; when it matches, that backup is current (the gauge says so)."""
        if await self.engine.config_changed():
            await self._config.request()
        else:
            self.telemetry.last_success.labels("config").set(self.ctx.clock.now().timestamp())

    def _kinds_taken(self) -> list[str]:
        """The metric labels of the kinds this deployment backs up."""
        wanted = ["full", "config"]
        if self.engine.source.engine == "sqlite" or self.settings.postgres_method == "physical":
            wanted.append("incremental")
        try:
            configured_public_key(self.ctx.settings)
            wanted.append("keys")
        except InvalidInput:
            pass
        return wanted

    def _seed_metrics(self) -> None:
        """The gauge starts at the newest complete backup in the targets (0 when none), for the
        kinds this deployment takes, so the age alert also covers "never backed up"."""
        manifests = self.engine.manifests()
        for label in self._kinds_taken():
            done = [
                m.created.timestamp()
                for m in manifests
                if m.kind in SEEDS[label] and m.status == "complete"
            ]
            self.telemetry.last_success.labels(label).set(max(done, default=0.0))
