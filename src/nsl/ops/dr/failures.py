"""Failure injection: crash processes, destroy files, directories and clusters — and prove it.

Each function returns evidence (what was removed and that it no longer exists) for the report.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from nsl.ops.dr.process import ServiceLayer
from nsl.services.backup.pgcluster import PgCluster


class NotDestroyed(RuntimeError):
    """Something the drill meant to destroy is still there."""


def crash(layer: ServiceLayer) -> dict[str, object]:
    pid = layer.record.pid if layer.record else None
    layer.kill()
    if layer.running():
        raise NotDestroyed(f"process {pid} survived SIGKILL")
    return {"killed_pid": pid, "alive_after": False}


def remove_files(paths: list[Path]) -> dict[str, object]:
    existed = [str(p) for p in paths if p.exists()]
    for path in paths:
        path.unlink(missing_ok=True)
    left = [str(p) for p in paths if p.exists()]
    if left or not existed:
        raise NotDestroyed(f"files left {left}, existed before {existed}")
    return {"removed": existed, "exist_after": False}


def wipe_dir(path: Path) -> dict[str, object]:
    if not path.is_dir() or not any(path.iterdir()):
        raise NotDestroyed(f"{path} was empty or missing before the failure")
    entries = sorted(p.name for p in path.iterdir())
    shutil.rmtree(path)
    if path.exists():
        raise NotDestroyed(f"{path} still exists")
    return {"wiped": str(path), "entries_before": entries, "exists_after": False}


def destroy_cluster(cluster: PgCluster) -> dict[str, object]:
    """Crash the cluster (immediate stop) and remove its data dir."""
    if cluster.status() != "running":
        raise NotDestroyed(f"cluster on port {cluster.port} was not running before the failure")
    cluster.stop("immediate")
    cluster.destroy()
    if cluster.data_dir.exists() or cluster.status() != "absent":
        raise NotDestroyed(f"{cluster.data_dir} still exists")
    return {"cluster_port": cluster.port, "destroyed": str(cluster.data_dir), "exists_after": False}
