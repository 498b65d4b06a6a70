"""The compose infrastructure file: PostgreSQL, Redis, RabbitMQ, Prometheus, Grafana,
Alertmanager and Jaeger, the seed's settings scaled for one small machine. Passwords are read from
the env file at start (``$$VAR`` is compose's escape for a shell ``$VAR``), never written here."""

from __future__ import annotations

from typing import Any

from nsl.ops.manifests.env import ENV_FILE
from nsl.ops.manifests.spec import SMALL_MAX_CONNECTIONS

POSTGRES_IMAGE = "postgres:16"
REDIS_IMAGE = "redis:7"
RABBITMQ_IMAGE = "rabbitmq:3.12-management"
PROMETHEUS_IMAGE = "prom/prometheus:v2.53.0"
ALERTMANAGER_IMAGE = "prom/alertmanager:v0.27.0"
GRAFANA_IMAGE = "grafana/grafana:11.1.0"
JAEGER_IMAGE = "jaegertracing/all-in-one:1.58.0"

DATA_NETWORK = "data"  # internal: no route out; the data tier and the nsl processes only

# DESIGN.md §9's PostgreSQL 16 tuning, memory figures divided by 8 for a machine with about
# 8 GiB (seed: 32 GiB nodes); ratios and planner costs kept (docs/operations-deploy-manifests.md).
POSTGRES_TUNING = {
    "shared_buffers": "1GB",  # seed 8GB
    "effective_cache_size": "3GB",  # seed 24GB
    "maintenance_work_mem": "256MB",  # seed 2GB
    "checkpoint_completion_target": "0.9",
    "wal_buffers": "16MB",  # seed 64MB
    "default_statistics_target": "100",
    "random_page_cost": "1.1",
    "effective_io_concurrency": "200",
    "max_connections": str(SMALL_MAX_CONNECTIONS),  # seed 300; the pools are sized to fit
}
# DESIGN.md §9's Redis 7 settings, unchanged (maxmemory is a ceiling, not a reservation).
REDIS_CONFIG = (
    "maxmemory 6gb",
    "maxmemory-policy allkeys-lru",
    "save 900 1",
    "save 300 10",
    "save 60 10000",
)


def _health(test: list[str], start: str = "30s") -> dict[str, Any]:
    return {"test": test, "interval": "10s", "timeout": "5s", "retries": 5, "start_period": start}


def _postgres() -> dict[str, Any]:
    flags = " ".join(f"-c {key}={value}" for key, value in POSTGRES_TUNING.items())
    start = (
        'export POSTGRES_USER="$$DB_USER" POSTGRES_PASSWORD="$$DB_PASSWORD" '
        'POSTGRES_DB="$$DB_NAME"; exec docker-entrypoint.sh postgres ' + flags
    )
    return {
        "image": POSTGRES_IMAGE,
        "command": ["sh", "-c", start],
        "env_file": [ENV_FILE],
        "shm_size": "256mb",
        "volumes": ["postgres-data:/var/lib/postgresql/data"],
        "networks": [DATA_NETWORK],
        "healthcheck": _health(["CMD-SHELL", 'pg_isready -U "$$DB_USER" -d "$$DB_NAME"']),
        "restart": "unless-stopped",
    }


def _redis() -> dict[str, Any]:
    # the configuration, password included, reaches redis-server on stdin (never on argv)
    lines = "\n".join((*REDIS_CONFIG, 'requirepass "$$REDIS_PASSWORD"'))
    start = f"exec docker-entrypoint.sh redis-server - <<EOF\n{lines}\nEOF\n"
    ping = 'REDISCLI_AUTH="$$REDIS_PASSWORD" redis-cli ping | grep -q PONG'
    return {
        "image": REDIS_IMAGE,
        "command": ["sh", "-c", start],
        "env_file": [ENV_FILE],
        "volumes": ["redis-data:/data"],
        "networks": [DATA_NETWORK],
        "healthcheck": _health(["CMD-SHELL", ping]),
        "restart": "unless-stopped",
    }


def _rabbitmq() -> dict[str, Any]:
    start = (
        'export RABBITMQ_DEFAULT_USER="$$RABBITMQ_USER" '
        'RABBITMQ_DEFAULT_PASS="$$RABBITMQ_PASSWORD"; exec docker-entrypoint.sh rabbitmq-server'
    )
    return {
        "image": RABBITMQ_IMAGE,
        "command": ["sh", "-c", start],
        "env_file": [ENV_FILE],
        "volumes": ["rabbitmq-data:/var/lib/rabbitmq"],
        "networks": [DATA_NETWORK, "default"],  # default: the management UI on loopback
        "ports": ["127.0.0.1:15672:15672"],
        "healthcheck": _health(["CMD", "rabbitmq-diagnostics", "-q", "ping"], start="60s"),
        "restart": "unless-stopped",
    }


def _wget(url: str) -> list[str]:
    return ["CMD", "wget", "-q", "-O", "/dev/null", url]


def _monitoring() -> dict[str, dict[str, Any]]:
    return {
        "prometheus": {
            "image": PROMETHEUS_IMAGE,
            "command": [
                "--config.file=/etc/prometheus/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                "--storage.tsdb.retention.time=90d",
            ],
            "volumes": ["../prometheus:/etc/prometheus:ro", "prometheus-data:/prometheus"],
            "ports": ["127.0.0.1:9090:9090"],
            "healthcheck": _health(_wget("http://127.0.0.1:9090/-/ready")),
            "restart": "unless-stopped",
        },
        "alertmanager": {
            "image": ALERTMANAGER_IMAGE,
            "command": [
                "--config.file=/etc/alertmanager/alertmanager.yml",
                "--storage.path=/alertmanager",
            ],
            "volumes": ["../alertmanager:/etc/alertmanager:ro", "alertmanager-data:/alertmanager"],
            "ports": ["127.0.0.1:9093:9093"],
            "healthcheck": _health(_wget("http://127.0.0.1:9093/-/ready")),
            "restart": "unless-stopped",
        },
        "grafana": {
            "image": GRAFANA_IMAGE,
            "environment": {
                "GF_AUTH_ANONYMOUS_ENABLED": "false",
                "GF_USERS_ALLOW_SIGN_UP": "false",
            },
            "volumes": [
                "grafana-data:/var/lib/grafana",
                "../grafana/provisioning:/etc/grafana/provisioning:ro",
                "../grafana/dashboards:/etc/grafana/dashboards:ro",
            ],
            "ports": ["127.0.0.1:3000:3000"],
            "depends_on": {"prometheus": {"condition": "service_healthy"}},
            "healthcheck": _health(_wget("http://127.0.0.1:3000/api/health")),
            "restart": "unless-stopped",
        },
        "jaeger": {
            "image": JAEGER_IMAGE,
            "environment": {"COLLECTOR_OTLP_ENABLED": "true"},
            "expose": ["4317", "4318"],  # OTLP gRPC and HTTP, for the nsl processes
            "ports": ["127.0.0.1:16686:16686"],  # the UI
            "restart": "unless-stopped",
        },
    }


def infrastructure() -> dict[str, Any]:
    """The whole ``infra.yml`` document."""
    services = {"postgres": _postgres(), "redis": _redis(), "rabbitmq": _rabbitmq()}
    services.update(_monitoring())
    volumes = [
        "postgres-data",
        "redis-data",
        "rabbitmq-data",
        "prometheus-data",
        "alertmanager-data",
        "grafana-data",
    ]
    return {
        "services": services,
        "networks": {DATA_NETWORK: {"internal": True}, "default": {}},
        "volumes": {name: {} for name in volumes},
    }
