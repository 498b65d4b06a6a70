"""A ServiceContext on real in-process adapters, for tests that run one service without a host.

The enclave is the real software provider (its keyring file under ``settings.data_dir``) and
the audit log is the real hash-chained one; call ``await ctx.enclave.start()`` (or use
``started_context``) before using keys.
"""

from __future__ import annotations

from typing import Any

from nsl.adapters.audit import SqlAuditLog
from nsl.adapters.bus_memory import MemoryBus
from nsl.adapters.cache_memory import MemoryCache
from nsl.adapters.leases import SqlLeases
from nsl.adapters.outbox import SqlOutbox
from nsl.adapters.ratelimit_memory import MemoryRateLimiter
from nsl.core.clock import ManualClock
from nsl.core.context import ServiceContext
from nsl.core.metrics import Metrics
from nsl.core.settings import Settings
from nsl.enclave.software import SoftwareEnclave


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
        enclave=SoftwareEnclave(settings, database, clock),
        audit=SqlAuditLog(database, clock, metrics),
        instance_id="test-instance",
    )


async def started_context(
    settings: Settings, database: Any, clock: ManualClock, metrics: Metrics, cache: Any = None
) -> ServiceContext:
    """``embedded_context`` with its enclave started (master keyring loaded)."""
    ctx = embedded_context(settings, database, clock, metrics, cache)
    await ctx.enclave.start()
    return ctx
