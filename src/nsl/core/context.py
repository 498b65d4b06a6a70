"""What a service receives at construction: settings, clock, metrics and the adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nsl.core.audit import AuditTrail
from nsl.core.chain import Chains, NoChains
from nsl.core.clock import Clock
from nsl.core.enclave import Enclave
from nsl.core.metrics import Metrics
from nsl.core.ports import Cache, Database, EventBus, Leases, Outbox, RateLimiter
from nsl.core.settings import Settings


@dataclass
class ServiceContext:
    """Shared, already-built dependencies. Constructing services from it does no I/O."""

    settings: Settings
    clock: Clock
    metrics: Metrics
    database: Database
    cache: Cache
    bus: EventBus
    outbox: Outbox
    leases: Leases
    rate_limiter: RateLimiter
    enclave: Enclave
    audit: AuditTrail
    instance_id: str
    chains: Chains = field(default_factory=NoChains)
    services: dict[str, Any] = field(default_factory=dict)

    def service(self, name: str) -> Any:
        """Another started service in this process, for its in-process client."""
        return self.services[name]
