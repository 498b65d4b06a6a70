"""Each service's own alerts, keyed by catalogue name: a group is emitted only while its service
is in the catalogue."""

from __future__ import annotations

from nsl.ops.monitoring.rules_data import BACKUP, BACKUP_FAILED, ORACLE, STORAGE_INTEGRITY
from nsl.ops.monitoring.rules_http import GATEWAY
from nsl.ops.monitoring.rulespec import Alert, Case, Group, Rule, series
from nsl.ops.monitoring.topology import JOB

EVENTS_BACKLOG = 1000
EVENTS_LAG_BLOCKS = 100
_JOB = {"job": JOB}
_EVENTS = {**GATEWAY, "component": "events", "instance": "nsl-events:8080"}

AUDIT_FAILURES = Alert(
    "NslAuditWriteFailures",
    (
        Rule(
            "sum by (job, component, instance) (increase(nsl_audit_failures_total[5m])) > 0",
            "critical",
            "audit entries cannot be written in {{ $labels.instance }}",
            "Operations that must be audited (keys, secrets, randomness) fail while the audit "
            "log cannot be appended to: check the database (GET /health).",
        ),
    ),
    (
        Case(
            "audit writes fail",
            {series("nsl_audit_failures_total", GATEWAY): "0x10 1 2 3x10"},
            "4m",
            ({**GATEWAY, "severity": "critical"},),
        ),
        Case("audit writes succeed", {series("nsl_audit_failures_total", GATEWAY): "0x30"}, "4m"),
    ),
)

_SETTLED = {**GATEWAY, "component": "contracts", "instance": "nsl-contracts:8080", "chain": "neo-x"}

CONTRACTS_EXPIRED = Alert(
    "NslContractTransactionsExpired",
    (
        Rule(
            "sum by (job, chain) "
            '(increase(nsl_contracts_settled_total{outcome="expired"}[1h])) > 0',
            "warning",
            "{{ $labels.chain }} transactions expired without landing",
            "Sent transactions were never included before their validity passed: check fees "
            "and the chain's RPC endpoints.",
        ),
    ),
    (
        Case(
            "a transaction expires",
            {
                series(
                    "nsl_contracts_settled_total", {**_SETTLED, "outcome": "expired"}
                ): "0x10 1x20"
            },
            "5m",
            ({"job": JOB, "chain": "neo-x", "severity": "warning"},),
        ),
        Case(
            "transactions succeed",
            {series("nsl_contracts_settled_total", {**_SETTLED, "outcome": "succeeded"}): "0+1x30"},
            "5m",
        ),
    ),
)

_BACKLOG = series("nsl_events_backlog_deliveries", _EVENTS)
_LAG = series("nsl_events_poll_lag_blocks", {**_EVENTS, "chain": "neo-n3"})
_DEAD = series(
    "nsl_events_deliveries_total",
    {**_EVENTS, "mode": "webhook", "kind": "event", "outcome": "dead"},
)

EVENTS_DELIVERY_BACKLOG = Alert(
    "NslEventsDeliveryBacklog",
    (
        Rule(
            f"max by (job) (nsl_events_backlog_deliveries) > {EVENTS_BACKLOG}",
            "warning",
            "more than 1000 webhook deliveries are waiting",
            "For 15 minutes subscribers' webhooks have received events late: are the receivers "
            "failing (dead deliveries), or is the delivery task stale?",
            "15m",
        ),
    ),
    (
        Case(
            "deliveries pile up", {_BACKLOG: "5000x100"}, "20m", ({**_JOB, "severity": "warning"},)
        ),
        Case("deliveries keep up", {_BACKLOG: "3x100"}, "20m"),
    ),
)

EVENTS_POLL_LAG = Alert(
    "NslEventsPollLag",
    (
        Rule(
            f"max by (job, chain) (nsl_events_poll_lag_blocks) > {EVENTS_LAG_BLOCKS}",
            "warning",
            "event polling is more than 100 blocks behind {{ $labels.chain }}",
            "Subscriptions receive {{ $labels.chain }} events late: the poller is failing or "
            "slower than the chain.",
            "10m",
        ),
    ),
    (
        Case(
            "the poller falls behind",
            {_LAG: "500x80"},
            "15m",
            ({**_JOB, "chain": "neo-n3", "severity": "warning"},),
        ),
        Case("the poller keeps up", {_LAG: "2x80"}, "15m"),
    ),
)

EVENTS_DEAD = Alert(
    "NslEventsDeadDeliveries",
    (
        Rule(
            'sum by (job, mode) (increase(nsl_events_deliveries_total{outcome="dead"}[15m])) > 0',
            "warning",
            "{{ $labels.mode }} deliveries were given up after every retry",
            "Some subscribers will not receive these events: their endpoints kept failing.",
        ),
    ),
    (
        Case(
            "a delivery dies",
            {_DEAD: "0x10 1x20"},
            "5m",
            ({**_JOB, "mode": "webhook", "severity": "warning"},),
        ),
        Case("no delivery dies", {_DEAD: "0x30"}, "5m"),
    ),
)

_DUE = series("nsl_secrets_rotation_due_secrets", {**GATEWAY, "component": "secrets"})

SECRETS_ROTATION = Alert(
    "NslSecretsRotationDue",
    (
        Rule(
            "max by (job) (nsl_secrets_rotation_due_secrets) > 0",
            "warning",
            "secrets are past their rotation period",
            "For an hour some secrets' current versions have been older than their rotation "
            "period: rotate them (a secrets.rotation_due event was sent for each).",
            "1h",
        ),
    ),
    (
        Case("secrets stay due", {_DUE: "2x100"}, "90m", ({**_JOB, "severity": "warning"},), "1m"),
        Case("nothing is due", {_DUE: "0x100"}, "90m", (), "1m"),
    ),
)

SERVICE_GROUPS: dict[str, Group] = {
    "audit": Group("nsl-service-audit", (AUDIT_FAILURES,)),
    "contracts": Group("nsl-service-contracts", (CONTRACTS_EXPIRED,)),
    "events": Group("nsl-service-events", (EVENTS_DELIVERY_BACKLOG, EVENTS_POLL_LAG, EVENTS_DEAD)),
    "secrets": Group("nsl-service-secrets", (SECRETS_ROTATION,), test_interval="1m"),
    "oracle": Group("nsl-service-oracle", (ORACLE,)),
    "backup": Group("nsl-service-backup", (BACKUP, BACKUP_FAILED), test_interval="10m"),
    "storage": Group("nsl-service-storage", (STORAGE_INTEGRITY,)),
}
