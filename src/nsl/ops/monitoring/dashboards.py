"""The dashboards: an overview, the chains, and one per catalogue service whose domain panels
come from the metric families named ``nsl_<service>_*``."""

from __future__ import annotations

from typing import Any

from nsl.ops.monitoring import recording
from nsl.ops.monitoring.grafana import Panel, dashboard, stat
from nsl.ops.monitoring.inventory import Family, with_prefix
from nsl.ops.monitoring.topology import JOB

QUANTILES = (50, 95, 99)


def _quantiles(buckets: str, by: str = "") -> tuple[tuple[str, str], ...]:
    """p50/p95/p99 of a histogram's bucket rates, split by ``by`` labels if any."""
    group = f"le, {by}" if by else "le"
    suffix = " " + " ".join(f"{{{{{b.strip()}}}}}" for b in by.split(",")) if by else ""
    return tuple(
        (
            f"histogram_quantile({q / 100}, sum by ({group}) (rate({buckets}[5m])))",
            f"p{q}{suffix}",
        )
        for q in QUANTILES
    )


def overview() -> dict[str, Any]:
    http_quantiles = tuple(
        (name, f"p{q} {{{{component}}}}") for q, name in recording.QUANTILES.items()
    )
    panels = [
        stat("Processes up", f'sum(up{{job="{JOB}"}})'),
        stat("Processes down", f'count(up{{job="{JOB}"}} == 0) or vector(0)'),
        stat("Alerts firing", 'count(ALERTS{alertstate="firing"}) or vector(0)'),
        stat("Outbox backlog", "max(nsl_outbox_backlog_events)"),
        Panel("API requests by component", ((recording.REQUESTS, "{{component}}"),), "reqps"),
        Panel(
            "API 5xx ratio by component", ((recording.ERROR_RATIO, "{{component}}"),), "percentunit"
        ),
        Panel("API latency by component", http_quantiles, "s", width=24),
        Panel("Services up", (("nsl_service_up", "{{instance}} {{service}}"),)),
        Panel(
            "Periodic task heartbeat age",
            (
                (
                    "time() - nsl_task_heartbeat_timestamp_seconds",
                    "{{instance}} {{service}}.{{task}}",
                ),
            ),
            "s",
        ),
        Panel(
            "Requests in flight",
            (("sum by (component) (nsl_http_requests_in_flight)", "{{component}}"),),
        ),
        Panel(
            "Rate-limit rejections",
            (
                (
                    "sum by (scope, route_class) (rate(nsl_ratelimit_rejections_total[5m]))",
                    "{{scope}} {{route_class}}",
                ),
            ),
            "reqps",
        ),
        Panel("Database pool", (("sum by (state) (nsl_db_pool_connections)", "{{state}}"),)),
        Panel(
            "Cache hit ratio",
            (
                (
                    "sum by (tier) (rate(nsl_cache_hits_total[5m])) / (sum by (tier) "
                    "(rate(nsl_cache_hits_total[5m])) + sum by (tier) "
                    "(rate(nsl_cache_misses_total[5m])))",
                    "{{tier}}",
                ),
            ),
            "percentunit",
        ),
        Panel(
            "Bus events",
            (
                ("sum by (topic) (rate(nsl_bus_published_total[5m]))", "published {{topic}}"),
                ("sum by (outcome) (rate(nsl_bus_consumed_total[5m]))", "consumed {{outcome}}"),
            ),
            "ops",
        ),
        Panel(
            "TLS certificate days left",
            (
                (
                    "min by (instance, file) (nsl_tls_certificate_expiry_seconds) / 86400",
                    "{{instance}} {{file}}",
                ),
            ),
            "d",
        ),
        Panel(
            "Audit entries",
            (
                ("sum(rate(nsl_audit_entries_total[5m]))", "appended"),
                ("sum(rate(nsl_audit_failures_total[5m]))", "failed"),
            ),
            "ops",
        ),
    ]
    return dashboard("nsl-overview", "Neo Service Layer: overview", panels, ["overview"])


def chains() -> dict[str, Any]:
    panels = [
        Panel(
            "Endpoint circuit (1 closed, 0.5 probing, 0 open)",
            (("min by (chain, endpoint) (nsl_chain_endpoint_up)", "{{chain}} {{endpoint}}"),),
        ),
        Panel("Chain height", (("max by (chain) (nsl_chain_height_blocks)", "{{chain}}"),)),
        Panel(
            "RPC calls by outcome",
            (
                (
                    "sum by (chain, endpoint, outcome) (rate(nsl_chain_rpc_requests_total[5m]))",
                    "{{chain}} {{endpoint}} {{outcome}}",
                ),
            ),
            "ops",
        ),
        Panel(
            "RPC error ratio",
            (
                (
                    'sum by (chain) (rate(nsl_chain_rpc_requests_total{outcome="error"}[5m])) '
                    "/ sum by (chain) (rate(nsl_chain_rpc_requests_total[5m]))",
                    "{{chain}}",
                ),
            ),
            "percentunit",
        ),
        Panel(
            "RPC latency",
            _quantiles("nsl_chain_rpc_duration_seconds_bucket", "chain"),
            "s",
            width=24,
        ),
        Panel(
            "Blocks per minute",
            (("60 * max by (chain) (rate(nsl_chain_height_blocks[5m]))", "{{chain}}"),),
        ),
    ]
    return dashboard("nsl-chains", "Neo Service Layer: chains", panels, ["chains"])


def _domain_panel(family: Family) -> Panel | None:
    by = ", ".join(family.labels)
    legend = " ".join(f"{{{{{label}}}}}" for label in family.labels) or family.name
    unit = "s" if family.name.endswith("_seconds") else "short"
    grouped = f"by ({by}) " if by else ""
    if family.kind == "counter":
        expr = f"sum {grouped}(rate({family.name}[5m]))"
        return Panel(f"{family.name} per second", ((expr, legend),), "ops", description=family.help)
    if family.kind == "gauge":
        return Panel(
            family.name, ((f"max {grouped}({family.name})", legend),), unit, description=family.help
        )
    if family.kind == "histogram":
        return Panel(
            family.name, _quantiles(f"{family.name}_bucket", by), unit, description=family.help
        )
    return None


def service(name: str) -> dict[str, Any]:
    routes = f'route=~"/api/v1/{name}(/.*)?"'
    requests = f"nsl_http_requests_total{{{routes}}}"
    errors = f'nsl_http_requests_total{{{routes},status=~"5.."}}'
    ops = f'service="{name}"'
    panels = [
        Panel(
            "Requests by route", ((f"sum by (route) (rate({requests}[5m]))", "{{route}}"),), "reqps"
        ),
        Panel(
            "Responses by status",
            ((f"sum by (status) (rate({requests}[5m]))", "{{status}}"),),
            "reqps",
        ),
        Panel(
            "5xx ratio",
            ((f"sum(rate({errors}[5m])) / sum(rate({requests}[5m]))", "5xx"),),
            "percentunit",
        ),
        Panel("Latency", _quantiles(f"nsl_http_request_duration_seconds_bucket{{{routes}}}"), "s"),
        Panel(
            "Operations by outcome",
            (
                (
                    "sum by (operation, outcome) "
                    f"(rate(nsl_service_operations_total{{{ops}}}[5m]))",
                    "{{operation}} {{outcome}}",
                ),
            ),
            "ops",
        ),
        Panel(
            "Operation errors by code",
            (
                (
                    f"sum by (operation, code) (rate(nsl_service_errors_total{{{ops}}}[5m]))",
                    "{{operation}} {{code}}",
                ),
            ),
            "ops",
        ),
        Panel("Service up", ((f"nsl_service_up{{{ops}}}", "{{instance}}"),)),
        Panel(
            "Periodic task heartbeat age",
            ((f"time() - nsl_task_heartbeat_timestamp_seconds{{{ops}}}", "{{instance}} {{task}}"),),
            "s",
        ),
    ]
    prefix = f"nsl_{name.replace('-', '_')}_"
    panels += [p for p in map(_domain_panel, with_prefix(prefix)) if p is not None]
    return dashboard(f"nsl-service-{name}", f"Neo Service Layer: {name}", panels, ["service"])
