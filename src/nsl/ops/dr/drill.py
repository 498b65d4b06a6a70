"""One drill end to end: prepare a region, write and back up, break it, recover, measure.

Everything happens in the work dir on this machine; the report is a plain dict (see report.py).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from nsl.ops.dr import breaking, clusters, probes, recovery
from nsl.ops.dr.backups import DATABASE_KINDS, catalogue, newest_point, nsl
from nsl.ops.dr.process import ServiceLayer
from nsl.ops.dr.region import Operator, Region
from nsl.ops.dr.scenarios import SCENARIOS
from nsl.ops.dr.steps import StepLog
from nsl.ops.dr.writer import AcknowledgedWriter
from nsl.services.backup.pgcluster import PgCluster

CONFIG_CHANGES = 3
CATCH_UP_TIMEOUT_S = 60.0


@dataclass
class DrillOptions:
    scenario: str
    workdir: Path
    engine: str = "sqlite"
    duration_s: float = 5.0
    backup_every_s: float = 1.0
    ready_timeout_s: float = 180.0


@dataclass
class Observed:
    """What the drill saw; report.py turns it into figures and checks."""

    key: probes.KeyProbe | None = None
    config: list[probes.ConfigChange] = field(default_factory=list)
    writer: AcknowledgedWriter | None = None
    backup_point: float = 0.0  # newest instant a database backup restores to, at failure
    config_backup_lag_s: float | None = None
    backups: dict[str, int] = field(default_factory=dict)
    failure_at: float = 0.0
    evidence: dict[str, object] = field(default_factory=dict)
    ready_at: float | None = None
    recovered: Region | None = None


class Drill:
    def __init__(self, options: DrillOptions) -> None:
        self.options = options
        self.scenario = SCENARIOS[options.scenario]
        self.log = StepLog()
        self.seen = Observed()
        self.operator = Operator(
            options.workdir,
            master_key=secrets.token_hex(32),
            admin_key="nsl_dr_admin_" + secrets.token_hex(20),
            backup_every_s=options.backup_every_s,
        )
        self.region = Region("region-1", self.operator, options.engine)
        self.layers: list[ServiceLayer] = []
        self.clusters: list[PgCluster] = []
        self.run_id = secrets.token_hex(3)

    # -- phases ----------------------------------------------------------------------------

    def prepare(self) -> ServiceLayer:
        workdir = self.operator.workdir
        if workdir.exists() and any(workdir.iterdir()):
            raise FileExistsError(f"{workdir} is not empty: a drill destroys what it creates there")
        workdir.mkdir(parents=True, exist_ok=True)
        workdir.chmod(0o755)  # a PostgreSQL cluster inside runs as the postgres OS user
        with self.log.step("recovery key init", shares=recovery.SHARES):
            nsl(
                self.region,
                "backup",
                "recovery-key",
                "init",
                "--shares",
                str(recovery.SHARES),
                "--threshold",
                str(recovery.THRESHOLD),
                "--out",
                str(self.operator.recovery_dir),
            )
        self.region.root.mkdir(parents=True, exist_ok=True)
        self.region.root.chmod(0o755)
        if self.options.engine == "postgresql":
            cluster = clusters.region_cluster(self.region)
            with self.log.step("create primary cluster", port=cluster.port):
                self.clusters.append(cluster)
                clusters.create(self.region, cluster)
        layer = self._layer(self.region)
        recovery.start(layer, self.log)
        with self.log.step("wait ready"):
            layer.wait_ready(self.options.ready_timeout_s)
        url, admin = self.region.url, self.operator.admin_key
        with self.log.step("create key and configuration"):
            self.seen.key = probes.create_key(url, admin, f"dr-{self.run_id}")
            self.seen.config.append(probes.set_config(url, admin, f"dr.{self.run_id}.c0", 0))
        with self.log.step("full backup") as step:
            step["backup"] = nsl(self.region, "backup", "full").get("id")
        with self.log.step("keys backup") as step:
            step["backup"] = nsl(self.region, "backup", "keys").get("id")
        return layer

    def load(self) -> None:
        """Acknowledged writes for the drill's duration, a few configuration changes meanwhile."""
        writer = AcknowledgedWriter(self.region.url, self.operator.admin_key, self.run_id)
        self.seen.writer = writer
        pause = threading.Event()
        with self.log.step("acknowledged writes", seconds=self.options.duration_s) as step:
            writer.start()
            for change in range(1, CONFIG_CHANGES + 1):
                pause.wait(self.options.duration_s / CONFIG_CHANGES)
                self.seen.config.append(
                    probes.set_config(
                        self.region.url,
                        self.operator.admin_key,
                        f"dr.{self.run_id}.c{change}",
                        change,
                    )
                )
            step["acknowledged_so_far"] = len(writer.acks)
        with self.log.step("configuration backup catches up") as step:
            self.seen.config_backup_lag_s = self._config_catch_up()
            step["lag_s"] = self.seen.config_backup_lag_s

    def fail(self, layer: ServiceLayer) -> None:
        cluster = self.clusters[0] if self.clusters else None
        source = self._source_dir(self.region)
        points = catalogue(source)
        self.seen.backups = dict(Counter(p.kind for p in points))
        self.seen.backup_point = newest_point(source, DATABASE_KINDS)
        with self.log.step("failure", scenario=self.scenario.name) as step:
            self.seen.failure_at = time.time()
            self.seen.evidence = breaking.BREAKERS[self.scenario.name](self.region, layer, cluster)
            if self.seen.writer is not None:
                self.seen.writer.stop()
            step["evidence"] = self.seen.evidence

    def recover(self, broken: ServiceLayer) -> None:
        name, engine = self.scenario.name, self.options.engine
        region = self.region
        cluster = self.clusters[0] if self.clusters else None
        if name == "region_failure":
            region = Region("region-2", self.operator, engine)
            region.root.mkdir(parents=True, exist_ok=True)
            region.root.chmod(0o755)
            if engine == "postgresql":
                cluster = clusters.region_cluster(region)
                self.clusters.append(cluster)
        source = self.scenario.from_target
        recovery.restore_database(region, cluster, self.log, source)
        backups = self._source_dir(region)
        if name != "database_failure":  # the enclave keyring is gone with the data dir
            recovery.restore_keys(region, self.log, backups, source, self.seen.failure_at)
        recovery.restore_config(region, self.log, backups, source, self.seen.failure_at)
        layer = broken if region is self.region and broken.running() else self._layer(region)
        if not layer.running():
            recovery.start(layer, self.log)
        with self.log.step("wait ready", region=region.name):
            self.seen.ready_at = layer.wait_ready(self.options.ready_timeout_s)
        self.seen.recovered = region

    def cleanup(self) -> None:
        if self.seen.writer is not None:
            self.seen.writer.stop()
        for layer in self.layers:
            layer.stop()
        for cluster in self.clusters:
            if cluster.status() == "running":
                cluster.stop("fast")

    # -- helpers ---------------------------------------------------------------------------

    def _layer(self, region: Region) -> ServiceLayer:
        layer = ServiceLayer(region)
        self.layers.append(layer)
        return layer

    def _source_dir(self, region: Region) -> Path:
        if self.scenario.from_target == "offsite":
            return self.operator.offsite
        return region.local_backups

    def _config_catch_up(self) -> float:
        """Seconds from the last configuration change to a config backup covering it."""
        last = self.seen.config[-1].acked_at
        deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
        done = threading.Event()
        while time.monotonic() < deadline:
            covering = [
                p
                for p in catalogue(self._source_dir(self.region), ("config",))
                if p.covers_until >= last
            ]
            if covering:
                return max(0.0, covering[0].created_at - last)
            done.wait(0.1)  # polling the backup service's progress
        raise TimeoutError(f"no config backup covers the last change after {CATCH_UP_TIMEOUT_S}s")
