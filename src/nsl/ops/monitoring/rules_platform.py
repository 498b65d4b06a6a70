"""Alerts on the platform every process runs: outbox relay, chain endpoints, periodic tasks."""

from __future__ import annotations

from nsl.ops.monitoring.rules_http import GATEWAY
from nsl.ops.monitoring.rulespec import Alert, Case, Group, Rule, series
from nsl.ops.monitoring.topology import JOB

OUTBOX_BACKLOG = 1000
TASK_STALE_S = 1200  # tasks run every 5 min at most by default; 3 missed runs and a margin
HOURLY_TASK_STALE_S = 3 * 3600
HOURLY_TASKS = (("platform", "outbox-purge"), ("events", "purge"))

_BACKLOG = series("nsl_outbox_backlog_events", GATEWAY)
_BACKLOG_2 = series("nsl_outbox_backlog_events", {**GATEWAY, "instance": "nsl-keys:8080"})

OUTBOX = Alert(
    "NslOutboxBacklog",
    (
        Rule(
            f"max by (job) (nsl_outbox_backlog_events) > {OUTBOX_BACKLOG}",
            "warning",
            "more than 1000 events wait in the outbox",
            "For 10 minutes the relay has not kept up: events reach the bus late. Is RabbitMQ "
            "reachable (GET /health), and is any process relaying?",
            "10m",
        ),
    ),
    (
        Case(
            "the backlog stays high",
            {_BACKLOG: "5000x80", _BACKLOG_2: "5000x80"},
            "15m",
            ({"job": JOB, "severity": "warning"},),
        ),
        Case("the backlog drains", {_BACKLOG: "5000x20 10x60"}, "15m"),
        Case("a small backlog", {_BACKLOG: "10x80"}, "15m"),
    ),
)

_N3 = {**GATEWAY, "chain": "neo-n3"}
_RPC_1 = series("nsl_chain_endpoint_up", {**_N3, "endpoint": "rpc-1"})
_RPC_2 = series("nsl_chain_endpoint_up", {**_N3, "endpoint": "rpc-2"})

CHAIN_ENDPOINT = Alert(
    "NslChainEndpointDown",
    (
        Rule(
            "nsl_chain_endpoint_up == 0",
            "warning",
            "{{ $labels.chain }} endpoint {{ $labels.endpoint }} is failing",
            "Its circuit has been open for 2 minutes in {{ $labels.instance }}: calls go to the "
            "chain's other endpoints.",
            "2m",
        ),
        Rule(
            "max by (job, component, instance, chain) (nsl_chain_endpoint_up) == 0",
            "critical",
            "every {{ $labels.chain }} endpoint is failing",
            "{{ $labels.instance }} has no working {{ $labels.chain }} RPC endpoint: chain "
            "calls fail and event delivery stops.",
            "2m",
        ),
    ),
    (
        Case(
            "one of two endpoints fails",
            {_RPC_1: "0x20", _RPC_2: "1x20"},
            "4m",
            ({**_N3, "endpoint": "rpc-1", "severity": "warning"},),
        ),
        Case(
            "every endpoint fails",
            {_RPC_1: "0x20", _RPC_2: "0x20"},
            "4m",
            (
                {**_N3, "endpoint": "rpc-1", "severity": "warning"},
                {**_N3, "endpoint": "rpc-2", "severity": "warning"},
                {**_N3, "severity": "critical"},
            ),
        ),
        Case("an endpoint is being probed", {_RPC_1: "0.5x20", _RPC_2: "1x20"}, "4m"),
        Case("a brief failure", {_RPC_1: "0 0 1x20", _RPC_2: "1x20"}, "4m"),
    ),
)

_HB = "nsl_task_heartbeat_timestamp_seconds"
_HOURLY = " or ".join(f'{_HB}{{service="{s}",task="{t}"}}' for s, t in HOURLY_TASKS)
_RELAY = {**GATEWAY, "service": "platform", "task": "outbox-relay"}
_PURGE = {**GATEWAY, "service": "platform", "task": "outbox-purge"}

TASK_HEARTBEAT = Alert(
    "NslTaskHeartbeatStale",
    (
        Rule(
            f"(time() - {_HB} > {TASK_STALE_S} unless on (service, task) ({_HOURLY}))"
            f" or time() - ({_HOURLY}) > {HOURLY_TASK_STALE_S}",
            "warning",
            "task {{ $labels.service }}.{{ $labels.task }} has stopped succeeding",
            "The periodic task has missed three runs (20 minutes; 3 hours for hourly tasks) "
            "in {{ $labels.instance }}: its error is in GET /health under "
            "{{ $labels.service }}.task.{{ $labels.task }}.",
            "5m",
        ),
    ),
    (
        Case(
            "a task stopped",
            {series(_HB, _RELAY): "0x200"},
            "30m",
            ({**_RELAY, "severity": "warning"},),
        ),
        Case("a task runs", {series(_HB, _RELAY): "0+15x200"}, "30m"),
        Case("an hourly task within its hours", {series(_HB, _PURGE): "0x200"}, "30m"),
        Case(
            "an hourly task stopped",
            {series(_HB, _PURGE): "0x300"},
            "4h",
            ({**_PURGE, "severity": "warning"},),
            "1m",
        ),
    ),
)

OUTBOX_GROUP = Group("nsl-outbox", (OUTBOX,))
CHAINS = Group("nsl-chains", (CHAIN_ENDPOINT,))
TASKS = Group("nsl-tasks", (TASK_HEARTBEAT,), test_interval="1m")
