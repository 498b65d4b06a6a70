"""Build each adapter from settings: in-process by default, networked when its URL is set."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from nsl.adapters.audit import SqlAuditLog
from nsl.adapters.bus_memory import MemoryBus
from nsl.adapters.bus_rabbitmq import RabbitBus
from nsl.adapters.cache_memory import MemoryCache
from nsl.adapters.cache_redis import TieredCache
from nsl.adapters.leases import SqlLeases
from nsl.adapters.outbox import OutboxRelay, SqlOutbox
from nsl.adapters.ratelimit_memory import MemoryRateLimiter
from nsl.adapters.ratelimit_redis import RedisRateLimiter
from nsl.chains.registry import ChainRegistry
from nsl.core.clock import Clock
from nsl.core.enclave import Enclave
from nsl.core.errors import Unavailable
from nsl.core.metrics import Metrics
from nsl.core.ports import Cache, EventBus, RateLimiter
from nsl.core.settings import Settings
from nsl.db.engine import Database, database_url
from nsl.enclave.factory import build_enclave

log = logging.getLogger(__name__)


@dataclass
class Adapters:
    """Every adapter a host uses, already constructed (no connection opened yet)."""

    database: Database
    cache: Cache
    bus: EventBus
    outbox: SqlOutbox
    relay: OutboxRelay
    leases: SqlLeases
    rate_limiter: RateLimiter
    enclave: Enclave
    audit: SqlAuditLog
    chains: ChainRegistry

    async def open(self) -> None:
        """Connect the networked parts. A broker or cache that is down does not stop the start:
        health reports it degraded, the outbox keeps events, and each part reconnects on use.
        The enclave must open: without its master keyring no key is usable."""
        await self.enclave.start()
        for part in (self.cache, self.bus, self.rate_limiter):
            start = getattr(part, "start", None)
            if start is None:
                continue
            try:
                await start()
            except Unavailable as exc:
                log.warning("%s backend unavailable at start: %s", part.backend, exc.detail)
        await self.chains.start()

    async def close(self) -> None:
        await self.chains.close()
        await self.audit.close()
        await self.enclave.close()
        for part in (self.rate_limiter, self.bus, self.cache):
            close = getattr(part, "close", None)
            if close is not None:
                await close()
        await self.database.dispose()


def build_adapters(settings: Settings, clock: Clock, metrics: Metrics) -> Adapters:
    database = Database(
        database_url(settings.database, settings.data_dir), settings.database, metrics
    )
    l1 = MemoryCache(settings.cache.l1_max_entries, settings.cache.l1_ttl_s, clock, metrics)
    cache: Cache = l1
    rate_limiter: RateLimiter = MemoryRateLimiter(clock)
    redis = settings.redis
    if redis.url is not None:
        redis_url = redis.url.get_secret_value()
        timeout, pool = redis.socket_timeout_s, redis.pool_max
        cache = TieredCache(
            l1,
            redis_url,
            redis.key_prefix,
            settings.cache.l2_ttl_s,
            metrics,
            timeout_s=timeout,
            max_connections=pool,
        )
        rate_limiter = RedisRateLimiter(
            redis_url, redis.key_prefix, timeout_s=timeout, max_connections=pool
        )
    bus: EventBus = MemoryBus(metrics)
    if settings.rabbitmq.url is not None:
        bus = RabbitBus(
            settings.rabbitmq.url.get_secret_value(),
            settings.rabbitmq.exchange,
            settings.rabbitmq.queue_prefix,
            metrics,
        )
    return Adapters(
        database=database,
        cache=cache,
        bus=bus,
        outbox=SqlOutbox(clock),
        relay=OutboxRelay(database, bus, metrics, settings.outbox.batch_size),
        leases=SqlLeases(database, clock),
        rate_limiter=rate_limiter,
        enclave=build_enclave(settings, database, clock),
        audit=SqlAuditLog(database, clock, metrics),
        chains=ChainRegistry(settings, metrics, clock),
    )
