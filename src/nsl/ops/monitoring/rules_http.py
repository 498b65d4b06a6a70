"""Alerts on every process: scrape and service availability, HTTP errors and latency, TLS expiry."""

from __future__ import annotations

from nsl.ops.monitoring import recording
from nsl.ops.monitoring.rulespec import Alert, Case, Group, Rule, series
from nsl.ops.monitoring.topology import JOB

KEYS = {"job": JOB, "instance": "nsl-keys:8080", "component": "keys"}
GATEWAY = {"job": JOB, "instance": "nsl-gateway:8080", "component": "gateway"}
ERROR_RATIO = 0.05  # 5xx share of API requests over 5 minutes
MIN_RATE = 0.1  # requests/s below which a ratio says little
LATENCY_P95_S = 1.0

_UP = series("up", KEYS)
_SERVICE_UP = series("nsl_service_up", {**KEYS, "service": "keys"})

TARGET_DOWN = Alert(
    "NslTargetDown",
    (
        Rule(
            f'up{{job="{JOB}"}} == 0',
            "critical",
            "{{ $labels.component }} at {{ $labels.instance }} is not answering scrapes",
            "Prometheus has failed to scrape /metrics from {{ $labels.instance }} for a minute: "
            "the process is down, unreachable or not answering HTTP.",
            "1m",
        ),
    ),
    (
        Case(
            "a process stops answering",
            {_UP: "1 1 0x20"},
            "3m",
            ({**KEYS, "severity": "critical"},),
        ),
        Case("every scrape succeeds", {_UP: "1x20"}, "3m"),
        Case("one failed scrape", {_UP: "1 1 0 1x20"}, "3m"),
    ),
)

NO_TARGETS = Alert(
    "NslNoTargets",
    (
        Rule(
            f'absent(up{{job="{JOB}"}})',
            "critical",
            "Prometheus scrapes no service layer process",
            "No target of job {{ $labels.job }} exists: the scrape configuration or service "
            "discovery finds nothing to monitor.",
            "5m",
        ),
    ),
    (
        Case(
            "no target at all",
            {series("up", {"job": "other", "instance": "x:1"}): "1x40"},
            "10m",
            ({"job": JOB, "severity": "critical"},),
        ),
        Case("targets exist", {_UP: "1x40"}, "10m"),
    ),
)

SERVICE_DOWN = Alert(
    "NslServiceDown",
    (
        Rule(
            "nsl_service_up == 0",
            "critical",
            "service {{ $labels.service }} is stopped in {{ $labels.instance }}",
            "The process answers but its {{ $labels.service }} service is not running.",
            "1m",
        ),
    ),
    (
        Case(
            "a service stops",
            {_SERVICE_UP: "1 0x20"},
            "3m",
            ({**KEYS, "service": "keys", "severity": "critical"},),
        ),
        Case("the service runs", {_SERVICE_UP: "1x20"}, "3m"),
    ),
)

_OK = series(
    "nsl_http_requests_total",
    {**KEYS, "method": "GET", "route": "/api/v1/keys/{key_id}", "status": "200"},
)
_ERR = series(
    "nsl_http_requests_total",
    {**KEYS, "method": "GET", "route": "/api/v1/keys/{key_id}", "status": "500"},
)
_READY = series(
    "nsl_http_requests_total", {**KEYS, "method": "GET", "route": "/health/ready", "status": "503"}
)
_COMPONENT = {"job": JOB, "component": "keys"}

HIGH_ERROR_RATE = Alert(
    "NslHighErrorRate",
    (
        Rule(
            f"{recording.ERROR_RATIO} > {ERROR_RATIO} and {recording.REQUESTS} > {MIN_RATE}",
            "critical",
            "{{ $labels.component }} answers more than 5% of API requests with 5xx",
            "Over the last 5 minutes more than 5% of {{ $labels.component }}'s API requests "
            "failed with a server error (health probes and scrapes not counted).",
            "5m",
        ),
    ),
    (
        Case(
            "9% server errors",
            {_OK: "0+60x80", _ERR: "0+6x80"},
            "15m",
            ({**_COMPONENT, "severity": "critical"},),
        ),
        Case("under 2% server errors", {_OK: "0+60x80", _ERR: "0+1x80"}, "15m"),
        Case("failing readiness probes", {_OK: "0+60x80", _READY: "0+30x80"}, "15m"),
        Case("too little traffic to judge", {_OK: "0+1x30", _ERR: "0+1x30"}, "20m", (), "1m"),
    ),
)


def _buckets(counts: dict[str, str]) -> dict[str, str]:
    route = {**KEYS, "method": "POST", "route": "/api/v1/keys/{key_id}/sign"}
    return {
        series("nsl_http_request_duration_seconds_bucket", {**route, "le": le}): values
        for le, values in counts.items()
    }


HIGH_LATENCY = Alert(
    "NslHighLatency",
    (
        Rule(
            f"{recording.QUANTILES[95]} > {LATENCY_P95_S}",
            "warning",
            "{{ $labels.component }} p95 API latency is above 1 s",
            "For 10 minutes the 95th percentile of {{ $labels.component }}'s API request "
            "latency has been above 1 second.",
            "10m",
        ),
    ),
    (
        Case(
            "requests take about 2 s",
            _buckets({"0.5": "0x80", "1.0": "0x80", "2.5": "0+10x80", "+Inf": "0+10x80"}),
            "15m",
            ({**_COMPONENT, "severity": "warning"},),
        ),
        Case(
            "requests take under 0.5 s",
            _buckets({"0.5": "0+10x80", "1.0": "0+10x80", "2.5": "0+10x80", "+Inf": "0+10x80"}),
            "15m",
        ),
    ),
)

_CERT = {**GATEWAY, "file": "/etc/nsl/tls/server.crt"}
_EXPIRY = series("nsl_tls_certificate_expiry_seconds", _CERT)
_BY_FILE = "min by (job, component, instance, file) (nsl_tls_certificate_expiry_seconds)"

CERTIFICATE_EXPIRY = Alert(
    "NslCertificateExpiry",
    (
        Rule(
            f"{_BY_FILE} < 14 * 86400",
            "warning",
            "TLS certificate {{ $labels.file }} of {{ $labels.instance }} expires within 14 days",
            "Renew it (nsl certs generate/issue): the gateway reloads it without a restart.",
            "15m",
        ),
        Rule(
            f"{_BY_FILE} <= 0",
            "critical",
            "TLS certificate {{ $labels.file }} of {{ $labels.instance }} has expired",
            "Clients refuse the connection: renew the certificate now.",
        ),
    ),
    (
        Case(
            "ten days left", {_EXPIRY: "864000-15x100"}, "20m", ({**_CERT, "severity": "warning"},)
        ),
        Case("sixty days left", {_EXPIRY: "5184000-15x100"}, "20m"),
        Case(
            "expired",
            {_EXPIRY: "0-15x100"},
            "20m",
            ({**_CERT, "severity": "warning"}, {**_CERT, "severity": "critical"}),
        ),
        Case("renewed before the warning", {_EXPIRY: "864000x20 31536000x80"}, "20m"),
    ),
)

AVAILABILITY = Group("nsl-availability", (TARGET_DOWN, NO_TARGETS, SERVICE_DOWN))
HTTP = Group("nsl-http", (HIGH_ERROR_RATE, HIGH_LATENCY))
TLS = Group("nsl-tls", (CERTIFICATE_EXPIRY,))
