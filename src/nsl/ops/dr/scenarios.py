"""The three drills: what each one breaks and which of the seed's targets it is judged against."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    name: str
    breaks: str
    recovers: str
    rto_categories: tuple[str, ...]  # failure -> /health/ready is judged against each
    from_target: str | None  # restore reads only this backup target (None: any)


SCENARIOS = {
    "database_failure": Scenario(
        "database_failure",
        "crash the database (SQLite: kill the service layer; PostgreSQL: immediate stop of the "
        "cluster) and delete its files",
        "nsl restore --backup latest (SQLite: full + incrementals; PostgreSQL: base backup + "
        "WAL to its end), then start what was stopped",
        ("database",),
        None,
    ),
    "complete_outage": Scenario(
        "complete_outage",
        "SIGKILL every service-layer process, wipe the data dir (PostgreSQL: destroy the cluster)",
        "restore the database, the enclave keys (k recovery shares) and the configuration, "
        "then start the service layer again",
        ("services", "whole_system"),
        None,
    ),
    "region_failure": Scenario(
        "region_failure",
        "destroy region 1 whole: its processes, data dir, local backups (and cluster)",
        "bring the system up in region 2 (new data dir, ports, cluster) from the offsite "
        "target only",
        ("whole_system",),
        "offsite",
    ),
}
