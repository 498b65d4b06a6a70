"""Prometheus metric families shared by the whole process, on a registry of its own.

One :class:`Metrics` per host (not the global registry), so several hosts can live in one
test process. Names follow ``nsl_<area>_<thing>_<unit>``; labels carry route templates and
service names, never raw paths or ids.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    disable_created_metrics,
    generate_latest,
)

T = TypeVar("T")

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Every metric family the platform exports."""

    def __init__(self, version: str, environment: str) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series: they double the scrape for no use
        self.registry = CollectorRegistry(auto_describe=True)
        self._families: dict[str, Any] = {}
        r = self.registry
        self.started_at = time.time()
        self.build_info = Info("nsl_build", "Build and environment of this process.", registry=r)
        self.build_info.info({"version": version, "environment": environment})
        self.uptime = Gauge("nsl_uptime_seconds", "Seconds since this process started.", registry=r)
        self.uptime.set_function(lambda: time.time() - self.started_at)

        self.http_requests = Counter(
            "nsl_http_requests_total",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_latency = Histogram(
            "nsl_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.http_in_flight = Gauge(
            "nsl_http_requests_in_flight", "HTTP requests being served.", registry=r
        )
        self.rate_limit_rejections = Counter(
            "nsl_ratelimit_rejections_total",
            "Requests refused by the rate limiter, by scope (ip|principal) and route class.",
            ["scope", "route_class"],
            registry=r,
        )

        self.service_up = Gauge(
            "nsl_service_up", "1 when the service is started and healthy.", ["service"], registry=r
        )
        self.service_operations = Counter(
            "nsl_service_operations_total",
            "Service use-case calls by service, operation and outcome (ok|error).",
            ["service", "operation", "outcome"],
            registry=r,
        )
        self.service_errors = Counter(
            "nsl_service_errors_total",
            "Service use-case failures by service, operation and error code.",
            ["service", "operation", "code"],
            registry=r,
        )
        self.task_heartbeat = Gauge(
            "nsl_task_heartbeat_timestamp_seconds",
            "Unix time of each periodic task's last successful run.",
            ["service", "task"],
            registry=r,
        )

        self.db_pool = Gauge(
            "nsl_db_pool_connections",
            "Database pool connections by state (checked_out|idle|size).",
            ["state"],
            registry=r,
        )
        self.cache_hits = Counter(
            "nsl_cache_hits_total", "Cache hits by tier (l1|l2).", ["tier"], registry=r
        )
        self.cache_misses = Counter(
            "nsl_cache_misses_total", "Cache misses by tier (l1|l2).", ["tier"], registry=r
        )
        self.bus_published = Counter(
            "nsl_bus_published_total",
            "Events published to the bus by topic.",
            ["topic"],
            registry=r,
        )
        self.bus_consumed = Counter(
            "nsl_bus_consumed_total",
            "Events handled by consumers, by topic, consumer and outcome (ok|duplicate|error).",
            ["topic", "consumer", "outcome"],
            registry=r,
        )
        self.outbox_backlog = Gauge(
            "nsl_outbox_backlog_events", "Outbox events not yet published.", registry=r
        )
        self.audit_entries = Counter(
            "nsl_audit_entries_total", "Audit entries durably appended.", registry=r
        )
        self.audit_failures = Counter(
            "nsl_audit_failures_total",
            "Audit entries that could not be written (their operations failed).",
            registry=r,
        )

        self.chain_rpc_requests = Counter(
            "nsl_chain_rpc_requests_total",
            "Chain RPC attempts by chain, endpoint, operation and outcome (ok|error).",
            ["chain", "endpoint", "operation", "outcome"],
            registry=r,
        )
        self.chain_rpc_latency = Histogram(
            "nsl_chain_rpc_duration_seconds",
            "Latency of successful chain RPC calls by chain and endpoint.",
            ["chain", "endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.chain_endpoint_up = Gauge(
            "nsl_chain_endpoint_up",
            "Circuit of each chain endpoint: 1 closed, 0.5 half-open, 0 open.",
            ["chain", "endpoint"],
            registry=r,
        )
        self.chain_height = Gauge(
            "nsl_chain_height_blocks", "Latest block height seen per chain.", ["chain"], registry=r
        )

    def family(self, name: str, build: Callable[[CollectorRegistry], T]) -> T:
        """A service's own metric family (or group of them), registered once on this registry."""
        found: T | None = self._families.get(name)
        if found is None:
            found = self._families[name] = build(self.registry)
        return found

    def render(self) -> bytes:
        """Prometheus text exposition of every family."""
        return generate_latest(self.registry)
