"""Each process follows the rollout state: reloads it when its generation moves, and says so.

The gateway reads routes and flags from the loaded snapshot on every request (no query per
request). Each poll also records the generation this process has loaded, so ``nsl deploy`` can
wait until every live process follows a switch before it drains the old colour.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from nsl.core.clock import Clock
from nsl.runtime.rollout.repository import RolloutRepository
from nsl.runtime.rollout.state import Route, Snapshot, Upstream

log = logging.getLogger(__name__)
POLL_S = 0.1


class WaitFailed(Exception):
    """What was awaited did not happen before the deadline."""


class RolloutFollower:
    def __init__(
        self,
        repository: RolloutRepository,
        instance_id: str,
        services: Mapping[str, Any],
        static_upstreams: Mapping[str, str],
    ) -> None:
        self.repository = repository
        self.instance_id = instance_id
        self._services = services
        self._static = {
            name: Route(name, "blue", blue=Upstream(url.rstrip("/")))
            for name, url in static_upstreams.items()
        }
        self.snapshot = Snapshot()
        self.loaded = False

    def route(self, service: str) -> Route | None:
        """The table's route, else the one given in settings."""
        return self.snapshot.routes.get(service) or self._static.get(service)

    def enabled(self, service: str) -> bool:
        return self.snapshot.enabled(service)

    async def poll(self) -> Snapshot:
        """Reload when the generation moved; apply flags to local services; acknowledge."""
        generation = await self.repository.generation()
        if not self.loaded or generation != self.snapshot.generation:
            self.snapshot = await self.repository.snapshot()
            self.loaded = True
            self._apply_flags()
            log.info("rollout state generation %d loaded", self.snapshot.generation)
        await self.repository.ack(self.instance_id, self.snapshot.generation)
        return self.snapshot

    async def leave(self) -> None:
        """Stop being waited for (on a clean shutdown)."""
        await self.repository.forget_acks(self.instance_id)

    def _apply_flags(self) -> None:
        for name, service in self._services.items():
            paused = not self.snapshot.enabled(name)
            if getattr(service, "paused", paused) != paused:
                log.warning("service %s %s by its feature flag", name, "off" if paused else "on")
            service.paused = paused


async def wait_followed(
    repository: RolloutRepository, clock: Clock, generation: int, window_s: float, timeout_s: float
) -> int:
    """Until every process heard from in the last ``window_s`` has loaded ``generation``.

    Returns how many processes acknowledged it.
    """
    deadline = time.monotonic() + timeout_s
    behind: dict[str, int] = {}
    while time.monotonic() < deadline:
        acks = await repository.acks_since(clock.now() - timedelta(seconds=window_s))
        behind = {who: g for who, g in acks.items() if g < generation}
        if not behind:
            return len(acks)
        await asyncio.sleep(POLL_S)  # other processes poll on their own schedule
    raise WaitFailed(
        f"{len(behind)} process(es) still on an older rollout generation than {generation} "
        f"after {timeout_s:.0f}s"
    )
