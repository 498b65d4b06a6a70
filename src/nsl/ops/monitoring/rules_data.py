"""Alerts of the data services: oracle feed age, backup age and failures, storage integrity.

They read ``nsl_oracle_feed_age_seconds{feed}`` / ``nsl_oracle_feed_heartbeat_seconds{feed}``,
``nsl_backup_last_success_timestamp_seconds{kind}`` (0 until the first good backup of a kind),
``nsl_backup_failures_total{kind,target}`` and ``nsl_storage_integrity_failures_total``;
generation fails if a service stops exporting them.
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


def _last(kinds: str) -> str:
    """The newest good backup of ``kinds`` (keys and config are backed up on change, so only
    the scheduled kinds can be late)."""
    return f'max by (job, kind) (nsl_backup_last_success_timestamp_seconds{{kind=~"{kinds}"}})'


BACKUP = Alert(
    "NslBackupTooOld",
    (
        Rule(
            f"time() - {_last('incremental')} > 5 * 3600 or time() - {_last('full')} > 26 * 3600",
            "warning",
            "the last good {{ $labels.kind }} backup is older than its schedule allows",
            "Full backups run daily at 02:00 UTC and incremental ones at least every 4 hours: "
            "one was missed. Look at the backup service's task health and its last error.",
            "10m",
        ),
        Rule(
            f"time() - {_last('full|incremental')} > 48 * 3600",
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

_FAILURES = series("nsl_backup_failures_total", {**_BACKUP, "kind": "full", "target": "offsite"})

BACKUP_FAILED = Alert(
    "NslBackupFailed",
    (
        Rule(
            "sum by (job, kind, target) (increase(nsl_backup_failures_total[1h])) > 0",
            "warning",
            "a {{ $labels.kind }} backup failed on target {{ $labels.target }}",
            "The backup was marked failed: the target could not be written (full disk, lost "
            "mount, permissions) or the source could not be read. The other targets were still "
            "written; see the backup service's log and `nsl backup list`.",
        ),
    ),
    (
        Case(
            "a target fails",
            {_FAILURES: "0x10 1x20"},
            "15m",
            ({**_JOB, "kind": "full", "target": "offsite", "severity": "warning"},),
        ),
        Case("every target written", {_FAILURES: "0x30"}, "15m"),
    ),
)

_STORAGE = {"job": JOB, "instance": "nsl-storage:8080", "component": "storage"}
_INTEGRITY = series("nsl_storage_integrity_failures_total", _STORAGE)

STORAGE_INTEGRITY = Alert(
    "NslStorageIntegrityFailure",
    (
        Rule(
            "sum by (job, instance) (increase(nsl_storage_integrity_failures_total[10m])) > 0",
            "critical",
            "stored object chunks fail their integrity check in {{ $labels.instance }}",
            "A chunk did not authenticate or an object's SHA-256 did not match: the chunk store "
            "was modified or damaged. Reads of those objects are refused; restore them from a "
            "backup (docs/operations-backup.md).",
        ),
    ),
    (
        Case(
            "a tampered chunk is read",
            {_INTEGRITY: "0x5 1x10"},
            "10m",
            ({"job": JOB, "instance": "nsl-storage:8080", "severity": "critical"},),
        ),
        Case("reads verify", {_INTEGRITY: "0x20"}, "10m"),
    ),
)
