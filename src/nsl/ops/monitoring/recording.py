"""Recording rules: per-component HTTP rates, error ratio and latency quantiles, used by the
alerts and the dashboards. Infrastructure routes (probes, scrapes) are left out."""

from __future__ import annotations

from nsl.ops.monitoring.rulespec import Record, RecordingGroup

API_ROUTES = 'route!~"/health.*|/metrics"'
REQUESTS = "component:nsl_http_requests:rate5m"
ERRORS = "component:nsl_http_requests_5xx:rate5m"
ERROR_RATIO = "component:nsl_http_errors:ratio_rate5m"
BUCKETS = "component_le:nsl_http_request_duration_seconds_bucket:rate5m"
QUANTILES = {q: f"component:nsl_http_request_duration_seconds:p{q}_rate5m" for q in (50, 95, 99)}

HTTP = RecordingGroup(
    "nsl-http-recording",
    (
        Record(
            REQUESTS,
            f"sum by (job, component) (rate(nsl_http_requests_total{{{API_ROUTES}}}[5m]))",
        ),
        Record(
            ERRORS,
            "sum by (job, component) "
            f'(rate(nsl_http_requests_total{{{API_ROUTES},status=~"5.."}}[5m]))',
        ),
        Record(ERROR_RATIO, f"{ERRORS} / {REQUESTS}"),
        Record(
            BUCKETS,
            "sum by (job, component, le) "
            f"(rate(nsl_http_request_duration_seconds_bucket{{{API_ROUTES}}}[5m]))",
        ),
        *(
            Record(name, f"histogram_quantile({q / 100}, {BUCKETS})")
            for q, name in QUANTILES.items()
        ),
    ),
)

GROUPS = (HTTP,)


def recorded_names() -> list[str]:
    return [r.record for g in GROUPS for r in g.records]
