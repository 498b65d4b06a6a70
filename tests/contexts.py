"""A ServiceContext on real in-process adapters, for tests that run one service without a host."""

from __future__ import annotations

from typing import Any

from nsl.adapters.bus_memory import MemoryBus
from nsl.adapters.cache_memory import MemoryCache
from nsl.adapters.leases import SqlLeases
from nsl.adapters.outbox import SqlOutbox
from nsl.adapters.ratelimit_memory import MemoryRateLimiter
from nsl.core.clock import ManualClock
from nsl.core.context import ServiceContext
from nsl.core.metrics import Metrics
from nsl.core.settings import Settings


def embedded_context(
    settings: Settings, database: Any, clock: ManualClock, metrics: Metrics, cache: Any = None
) -> ServiceContext:
    return ServiceContext(
        settings=settings,
        clock=clock,
        metrics=metrics,
        database=database,
        cache=cache or MemoryCache(1000, 30.0, clock, metrics),
        bus=MemoryBus(metrics),
        outbox=SqlOutbox(clock),
        leases=SqlLeases(database, clock),
        rate_limiter=MemoryRateLimiter(clock),
        instance_id="test-instance",
    )
