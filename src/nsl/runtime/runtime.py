"""Runtime: settings in, a started host out. Used by the gateway's lifespan and by the CLI."""

from __future__ import annotations

import logging
import os
from typing import Any

from nsl import __version__
from nsl.core import catalogue
from nsl.core.clock import Clock, SystemClock
from nsl.core.context import ServiceContext
from nsl.core.errors import Unavailable
from nsl.core.health import Health
from nsl.core.host import Host
from nsl.core.ids import new_id
from nsl.core.metrics import Metrics
from nsl.core.production import ensure_production_ready
from nsl.core.service import ServiceBase
from nsl.core.settings import Settings
from nsl.db.migrate import upgrade
from nsl.runtime.adapters import Adapters, build_adapters
from nsl.runtime.platform import PlatformService
from nsl.runtime.rollout.follower import RolloutFollower
from nsl.runtime.rollout.repository import RolloutRepository
from nsl.runtime.tracing import start_tracing, stop_tracing

log = logging.getLogger(__name__)


class Runtime:
    """Adapters, services and their host for one process."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        phase: int | None = None,
        only: list[str] | None = None,
    ) -> None:
        ensure_production_ready(settings)
        self.settings = settings
        self.clock = clock or SystemClock()
        self.metrics = Metrics(__version__, settings.env)
        self.adapters: Adapters = build_adapters(settings, self.clock, self.metrics)
        self.ctx = ServiceContext(
            settings=settings,
            clock=self.clock,
            metrics=self.metrics,
            database=self.adapters.database,
            cache=self.adapters.cache,
            bus=self.adapters.bus,
            outbox=self.adapters.outbox,
            leases=self.adapters.leases,
            rate_limiter=self.adapters.rate_limiter,
            enclave=self.adapters.enclave,
            audit=self.adapters.audit,
            chains=self.adapters.chains,
            instance_id=new_id("i_"),
        )
        self.tracing = start_tracing(settings, only, self.ctx.instance_id, self.adapters.database)
        self.entries = catalogue.select(settings, phase=phase, only=only or None)
        self.rollout = RolloutFollower(
            RolloutRepository(self.adapters.database, self.clock),
            self.ctx.instance_id,
            self.ctx.services,
            settings.gateway.upstreams,
        )
        self.platform = PlatformService(self.ctx, self.adapters, self.rollout)
        services: list[ServiceBase] = [self.platform]
        for item in self.entries:
            service = catalogue.load(item)(self.ctx)
            self.ctx.services[item.name] = service
            services.append(service)
        self.host = Host(list(services))
        self.bootstrap_key: str | None = None

    @property
    def services(self) -> dict[str, Any]:
        return self.ctx.services

    async def start(self) -> None:
        os.makedirs(self.settings.data_dir, mode=0o700, exist_ok=True)
        if self.settings.database.migrate_on_start:
            await upgrade(self.adapters.database.url)
        await self.adapters.open()
        await self.host.start()
        await self.rollout.poll()  # flags hold before the first request
        auth = self.ctx.services.get("auth")
        explicit = self.settings.bootstrap_admin_key
        # Production never invents an admin key; it accepts one given by the operator.
        if auth is not None and (self.settings.env != "production" or explicit is not None):
            self.bootstrap_key = await auth.ensure_bootstrap_admin(
                self.settings.data_dir, explicit.get_secret_value() if explicit else None
            )

    async def stop(self) -> None:
        try:
            await self.rollout.leave()
        except Unavailable:  # a deploy waiting on this process stops waiting after ack_window_s
            log.warning("could not withdraw this process from the rollout acknowledgements")
        await self.host.stop()
        await self.adapters.close()
        await stop_tracing(self.tracing)

    async def health(self) -> dict[str, Health]:
        return await self.host.health()

    def enabled(self) -> list[dict[str, Any]]:
        return [
            {
                "name": e.name,
                "phase": e.phase,
                "phase_name": catalogue.PHASE_NAMES[e.phase],
                "description": e.description,
            }
            for e in self.entries
        ]
