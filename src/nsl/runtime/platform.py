"""The platform service: adapter health checks and the outbox relay, run by ServiceBase."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import ClassVar

from cryptography import x509
from fastapi import APIRouter
from prometheus_client import CollectorRegistry, Gauge

from nsl.adapters.inbox import purge_processed
from nsl.core.context import ServiceContext
from nsl.core.health import Check, Status
from nsl.core.service import ServiceBase
from nsl.runtime.adapters import Adapters
from nsl.runtime.chains_view import chains_router
from nsl.runtime.rollout.follower import RolloutFollower

PUBLISHED_RETENTION = timedelta(days=7)
TLS_EXPIRY_INTERVAL_S = 60.0


def _tls_expiry_gauge(registry: CollectorRegistry) -> Gauge:
    return Gauge(
        "nsl_tls_certificate_expiry_seconds",
        "Seconds until the not-after time of the TLS certificate the gateway serves, by file.",
        ["file"],
        registry=registry,
    )


class PlatformService(ServiceBase):
    """Always present: relays the outbox and reports the database, cache, bus and limiter."""

    name: ClassVar[str] = "platform"  # also serves /api/v1/chains
    phase: ClassVar[int] = 1
    description: ClassVar[str] = "database, cache, bus, rate limiter, outbox relay"

    def __init__(self, ctx: ServiceContext, adapters: Adapters, rollout: RolloutFollower) -> None:
        super().__init__(ctx)
        self.adapters = adapters
        self.every(ctx.settings.gateway.route_poll_interval_s, "rollout", rollout.poll)
        self.every(ctx.settings.outbox.poll_interval_s, "outbox-relay", self._relay)
        self.every(3600, "outbox-purge", self._purge)
        self._tls_cert = ctx.settings.http.tls_cert_file if ctx.settings.http.tls else None
        self._tls_read = False
        if self._tls_cert is not None:
            self._tls_expiry = ctx.metrics.family("tls_expiry", _tls_expiry_gauge)
            self.every(TLS_EXPIRY_INTERVAL_S, "tls-expiry", self._read_tls_expiry)

    async def _relay(self) -> None:
        await self.adapters.relay.relay_once()

    async def _purge(self) -> None:
        cutoff = self.ctx.clock.now() - PUBLISHED_RETENTION
        await self.adapters.relay.purge_published(cutoff)
        await purge_processed(self.adapters.database, cutoff)

    async def _read_tls_expiry(self) -> None:
        """The gauge counts down at each scrape from the not-after of the certificate this worker
        loaded at its start: a renewal respawns the worker, so a later file change that was not
        reloaded (an unusable pair) must not show here. Retried until the first read succeeds."""
        path = self._tls_cert
        if path is None or self._tls_read:
            return
        cert = x509.load_pem_x509_certificates(path.read_bytes())[0]
        not_after = cert.not_valid_after_utc.timestamp()
        clock = self.ctx.clock
        self._tls_expiry.labels(str(path)).set_function(lambda: not_after - clock.now().timestamp())
        self._tls_read = True

    async def checks(self) -> list[Check]:
        a = self.adapters
        checks = [await a.database.health(), await a.enclave.health()]
        for check in (await a.cache.health(), await a.bus.health(), await a.rate_limiter.health()):
            checks.append(_degraded_at_worst(check))
        # a chain outage fails the calls that need it, not the whole platform
        checks.extend(_degraded_at_worst(chain.check()) for chain in a.chains.all())
        return checks

    def routes(self) -> APIRouter:
        return chains_router(self.adapters.chains)


def _degraded_at_worst(check: Check) -> Check:
    """Cache, bus and limiter outages degrade the platform: requests go on, events wait."""
    if check.status is Status.DOWN:
        return replace(check, status=Status.DEGRADED)
    return check
