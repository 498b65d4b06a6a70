"""Throw-away PostgreSQL clusters for the drills (C's PgCluster), one per region.

Never the machine's own PostgreSQL: each region gets a cluster in its own directory on a free
port, archiving WAL into the region's spool directory.
"""

from __future__ import annotations

from nsl.ops.dr.region import Region
from nsl.services.backup.pgcluster import PgCluster, free_port
from nsl.services.backup.pitr import wait_promoted

DATABASE = "nsl"
PROMOTE_TIMEOUT_S = 600.0
ARCHIVE_TIMEOUT_S = 1  # a finished WAL segment at least every second while writes happen


def region_cluster(region: Region) -> PgCluster:
    """The region's cluster object (nothing is created yet)."""
    pg = region.root / "pg"
    return PgCluster(
        pg / "data",
        port=free_port(),
        wal_spool_dir=pg / "spool",
        archive_timeout_s=ARCHIVE_TIMEOUT_S,
        fsync=False,  # a drill's throw-away cluster; durability is the backups' job here
    )


def create(region: Region, cluster: PgCluster) -> None:
    """initdb, start, create the service layer's database and point the region at it."""
    cluster.init()
    cluster.start()
    cluster.create_database(DATABASE)
    attach(region, cluster)


def attach(region: Region, cluster: PgCluster) -> None:
    """Point the region at a cluster (its database URL and WAL spool)."""
    region.database_url = cluster.url(DATABASE)
    region.wal_spool_dir = cluster.wal_spool_dir


def check_promoted(cluster: PgCluster) -> None:
    """``nsl restore`` started the restored cluster on the region's port and waited for the
    end of recovery; make sure it serves and has left recovery."""
    if cluster.status() != "running":
        raise RuntimeError(f"the restored cluster in {cluster.data_dir} is not running")
    wait_promoted(cluster, PROMOTE_TIMEOUT_S)
