"""Recover what a scenario broke with the operator's commands (``nsl restore``), then start it.

Each function returns the recovered service layer; the caller waits for /health/ready.
"""

from __future__ import annotations

from pathlib import Path

from nsl.ops.dr import clusters
from nsl.ops.dr.backups import catalogue, nsl
from nsl.ops.dr.process import ServiceLayer
from nsl.ops.dr.region import Region
from nsl.ops.dr.steps import StepLog
from nsl.services.backup.pgcluster import PgCluster

SHARES, THRESHOLD = 3, 2  # recovery key split 2-of-3 among operators


def _from(source: str | None) -> list[str]:
    return ["--from", source] if source else []


def restore_database(
    region: Region, cluster: PgCluster | None, log: StepLog, source: str | None
) -> None:
    """``latest``: SQLite full + incrementals; PostgreSQL base backup + WAL to its end."""
    target = ["--target", str(cluster.data_dir)] if cluster is not None else []
    if cluster is not None:
        clusters.attach(region, cluster)  # the restore starts it on this port and spool
    with log.step("restore database", source=source or "any") as step:
        step["result"] = nsl(region, "restore", "--backup", "latest", *target, *_from(source))
    if cluster is not None:
        with log.step("restored cluster promoted", port=cluster.port):
            clusters.check_promoted(cluster)


def newest(target_dir: Path, kind: str, before: float) -> str:
    """The newest complete backup of ``kind`` taken before the failure (a system that kept
    running may have backed up its damaged state since)."""
    points = [p for p in catalogue(target_dir, (kind,)) if p.created_at < before]
    if not points:
        raise LookupError(f"no complete {kind} backup before the failure in {target_dir}")
    return points[-1].id


def restore_keys(
    region: Region, log: StepLog, source_dir: Path, source: str | None, before: float
) -> None:
    """Enclave keys with k recovery shares, re-sealed under the region's current enclave master
    key (they replace the older items the database restore brought back, hence ``--force``)."""
    threshold = region.operator.shares()[:THRESHOLD]
    share_args = [arg for share in threshold for arg in ("--share", str(share))]
    keys_id = newest(source_dir, "keys", before)
    with log.step("restore keys", backup=keys_id, shares=len(threshold)) as step:
        step["result"] = nsl(
            region, "restore", "--backup", keys_id, *share_args, "--force", *_from(source)
        )


def restore_config(
    region: Region, log: StepLog, source_dir: Path, source: str | None, before: float
) -> None:
    """The newest configuration backup (taken on every change: newer than the database's
    last backup point), replacing the configuration the database restore brought back."""
    config_id = newest(source_dir, "config", before)
    with log.step("restore configuration", backup=config_id) as step:
        step["result"] = nsl(region, "restore", "--backup", config_id, "--force", *_from(source))


def start(layer: ServiceLayer, log: StepLog) -> None:
    with log.step("start service layer", region=layer.region.name, port=layer.region.port):
        layer.start()
