"""Break what a scenario breaks, on this machine, and return the evidence."""

from __future__ import annotations

import shutil

from nsl.ops.dr import failures
from nsl.ops.dr.process import ServiceLayer
from nsl.ops.dr.region import Region
from nsl.services.backup.pgcluster import PgCluster


def database_failure(
    region: Region, layer: ServiceLayer, cluster: PgCluster | None
) -> dict[str, object]:
    """SQLite: the service layer's process and its database files; PostgreSQL: the cluster."""
    if cluster is None:
        return {
            "process": failures.crash(layer),
            "database": failures.remove_files(region.sqlite_files),
        }
    return {"database": failures.destroy_cluster(cluster)}


def complete_outage(
    region: Region, layer: ServiceLayer, cluster: PgCluster | None
) -> dict[str, object]:
    evidence: dict[str, object] = {"process": failures.crash(layer)}
    if cluster is not None:
        evidence["database"] = failures.destroy_cluster(cluster)
        if cluster.wal_spool_dir is not None:
            shutil.rmtree(cluster.wal_spool_dir, ignore_errors=True)
    evidence["data_dir"] = failures.wipe_dir(region.data_dir)
    return evidence


def region_failure(
    region: Region, layer: ServiceLayer, cluster: PgCluster | None
) -> dict[str, object]:
    """The whole region goes: processes, cluster, data dir and its local backups."""
    evidence: dict[str, object] = {"process": failures.crash(layer)}
    if cluster is not None:
        evidence["database"] = failures.destroy_cluster(cluster)
    evidence["local_backups"] = failures.wipe_dir(region.local_backups)
    evidence["region"] = failures.wipe_dir(region.root)
    return evidence


BREAKERS = {
    "database_failure": database_failure,
    "complete_outage": complete_outage,
    "region_failure": region_failure,
}
