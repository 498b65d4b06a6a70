"""Rules written ahead of their services, emitted once the service is in the catalogue.

The oracle service (issue 6) must export ``nsl_oracle_feed_age_seconds{feed}`` (seconds since
the feed's last accepted value) and ``nsl_oracle_feed_heartbeat_seconds{feed}`` (the feed's
configured heartbeat); the backup service (issue 7) must export
``nsl_backup_last_success_timestamp_seconds{kind}`` (Unix time of the last good backup of each
kind, ``full``/``incremental``/...; 0 until the first). Generation fails if they do not.
"""

from __future__ import annotations

from nsl.ops.monitoring.rulespec import Alert, Case, Rule, series
from nsl.ops.monitoring.topology import JOB

_JOB = {"job": JOB}
_ORACLE = {"job": JOB, "instance": "nsl-oracle:8080", "component": "oracle", "feed": "NEO-USD"}
_AGE = series("nsl_oracle_feed_age_seconds", _ORACLE)
_HEARTBEAT = series("nsl_oracle_feed_heartbeat_seconds", _ORACLE)
_FEED_AGE = "min by (job, feed) (nsl_oracle_feed_age_seconds)"
_FEED_HEARTBEAT = "max by (job, feed) (nsl_oracle_feed_heartbeat_seconds)"
_FEED = {**_JOB, "feed": "NEO-USD"}

ORACLE = Alert(
    "NslOracleFeedStale",
    (
        Rule(
            f"{_FEED_AGE} > on (job, feed) {_FEED_HEARTBEAT}",
            "warning",
            "oracle feed {{ $labels.feed }} missed its heartbeat",
            "The feed has not been updated within its heartbeat: its sources are failing or "
            "disagree beyond the deviation threshold.",
            "2m",
        ),
        Rule(
            f"{_FEED_AGE} > on (job, feed) 3 * {_FEED_HEARTBEAT}",
            "critical",
            "oracle feed {{ $labels.feed }} is stale",
            "The feed is older than three heartbeats: consumers reading it get stale prices.",
            "2m",
        ),
    ),
    (
        Case(
            "one heartbeat missed",
            {_AGE: "0+15x60", _HEARTBEAT: "600x60"},
            "14m",
            ({**_FEED, "severity": "warning"},),
        ),
        Case(
            "three heartbeats missed",
            {_AGE: "0+15x200", _HEARTBEAT: "600x200"},
            "40m",
            ({**_FEED, "severity": "warning"}, {**_FEED, "severity": "critical"}),
        ),
        Case(
            "updated within its heartbeat", {_AGE: "0+15x20 0+15x40", _HEARTBEAT: "600x60"}, "14m"
        ),
    ),
)

_BACKUP = {"job": JOB, "instance": "nsl-backup:8080", "component": "backup"}
_FULL = series("nsl_backup_last_success_timestamp_seconds", {**_BACKUP, "kind": "full"})
_INCR = series("nsl_backup_last_success_timestamp_seconds", {**_BACKUP, "kind": "incremental"})
_LAST = "max by (job, kind) (nsl_backup_last_success_timestamp_seconds"

BACKUP = Alert(
    "NslBackupTooOld",
    (
        Rule(
            f'time() - {_LAST}{{kind="incremental"}}) > 5 * 3600 '
            f'or time() - {_LAST}{{kind!="incremental"}}) > 26 * 3600',
            "warning",
            "the last good {{ $labels.kind }} backup is older than its schedule allows",
            "Full backups run daily at 02:00 UTC and incremental ones every 4 hours: one was "
            "missed. Look at the backup service's task health and its last error.",
            "10m",
        ),
        Rule(
            f"time() - {_LAST}) > 48 * 3600",
            "critical",
            "no good {{ $labels.kind }} backup for two days",
            "The recovery point is beyond every RPO of the plan: run a backup now and fix the "
            "cause.",
            "10m",
        ),
    ),
    (
        Case(
            "an incremental backup missed",
            {_INCR: "0x420", _FULL: "0+60x420"},
            "6h",
            ({**_JOB, "kind": "incremental", "severity": "warning"},),
            "1m",
        ),
        Case(
            "no full backup for two days",
            {_FULL: "0x3000"},
            "49h",
            (
                {**_JOB, "kind": "full", "severity": "warning"},
                {**_JOB, "kind": "full", "severity": "critical"},
            ),
            "1m",
        ),
        Case(
            "backups on schedule",
            {_INCR: "0+60x420", _FULL: "0+60x420"},
            "6h",
            (),
            "1m",
        ),
        Case("a full backup a day old", {_FULL: "0x1560"}, "25h", (), "1m"),
    ),
)
