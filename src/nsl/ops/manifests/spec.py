"""The deployment spec table beside the catalogue: replicas, resources and volumes per process
(a default for names it does not list; an entry for a service not in the catalogue produces
nothing), backup schedules, and the database connection budget."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

GATEWAY = "gateway"
PORT = 8080
NAMESPACE = "neo-service-layer"
IMAGE_REPOSITORY = "ghcr.io/neo-service-layer/nsl"
RUN_AS = 10001  # the uid and gid the containers run as
DATA_DIR = "/var/lib/nsl"  # NSL_DATA_DIR: an emptyDir / tmpfs (all state is in PostgreSQL)


@dataclass(frozen=True)
class Volume:
    """A persistent volume one process mounts (one claim shared by its replicas)."""

    name: str
    mount_path: str
    size: str
    access_mode: str = "ReadWriteMany"  # replicas on several nodes mount the same claim
    shared: bool = False  # one claim ``nsl-<name>`` made once, not one per process


@dataclass(frozen=True)
class Spec:
    """How one process runs: replicas (the HPA's minimum), its ceiling, CPU and memory."""

    replicas: int
    cpu: str  # Kubernetes millicores, e.g. "500m"
    memory: str  # Kubernetes binary units, e.g. "1Gi"
    max_replicas: int
    volumes: tuple[Volume, ...] = ()

    @property
    def cpus(self) -> str:
        """The CPU as compose writes it: ``500m`` -> ``0.5``."""
        millicores = Decimal(self.cpu.removesuffix("m"))
        return format((millicores / 1000).normalize(), "f")


# NSL_BACKUP__TARGETS unset: the default target is ``<data_dir>-backups``, this mount
BACKUP_VOLUME = Volume("backups", f"{DATA_DIR}-backups", "200Gi", shared=True)

DEFAULT = Spec(replicas=2, cpu="250m", memory="512Mi", max_replicas=4)

SPECS: dict[str, Spec] = {
    GATEWAY: Spec(replicas=3, cpu="500m", memory="1Gi", max_replicas=6),
    # the pkcs11 provider's token directory; the software provider seals keys in PostgreSQL
    "keys": Spec(
        replicas=2,
        cpu="1000m",
        memory="2Gi",
        max_replicas=4,
        volumes=(Volume("enclave-keys", "/var/lib/enclave", "1Gi"),),
    ),
    # the backup service writes its scheduled backups where the backup CronJobs write theirs
    "backup": Spec(
        replicas=1, cpu="250m", memory="512Mi", max_replicas=2, volumes=(BACKUP_VOLUME,)
    ),
    # storage-data is used with NSL_STORAGE__DIRECTORY=/var/lib/storage (filesystem chunk store)
    "storage": Spec(
        replicas=3,
        cpu="250m",
        memory="512Mi",
        max_replicas=6,
        volumes=(
            Volume("storage-data", "/var/lib/storage", "100Gi"),
            Volume("backup-data", "/var/lib/backup", "200Gi"),
        ),
    ),
}


def spec_for(name: str) -> Spec:
    return SPECS.get(name, DEFAULT)


@dataclass(frozen=True)
class BackupJob:
    """A scheduled backup: its kind, cron schedule (UTC) and the ``nsl`` arguments it runs."""

    kind: str
    schedule: str
    argv: tuple[str, ...]


# DESIGN.md §9: full daily 02:00 UTC, incremental every 4 h. Emitted only for the commands the
# CLI offers; the backup service also schedules them, and a lease keeps one run at a time.
BACKUP_JOBS = (
    BackupJob("full", "0 2 * * *", ("backup", "full")),
    BackupJob("incremental", "0 */4 * * *", ("backup", "incremental")),
)

# Database connections: every process holds at most pool_max; all of them must fit in the
# server's max_connections, less a reserve for operators and the superuser.
SEED_MAX_CONNECTIONS = 300  # DESIGN.md §9 (Kubernetes: the operator's PostgreSQL)
SMALL_MAX_CONNECTIONS = 200  # compose on one small machine
RESERVED_CONNECTIONS = 10
SEED_POOL_MIN, SEED_POOL_MAX = 10, 50


@dataclass(frozen=True)
class Pool:
    minimum: int
    maximum: int


def pool_for(processes: int, max_connections: int) -> Pool:
    """The seed's pool (10..50) narrowed so ``processes`` pools fit the server's connections."""
    share = (max_connections - RESERVED_CONNECTIONS) // max(processes, 1)
    if share < 2:
        raise ValueError(f"{processes} processes cannot share {max_connections} connections")
    maximum = min(SEED_POOL_MAX, share)
    return Pool(min(SEED_POOL_MIN, maximum // 2), maximum)


def image(version: str) -> str:
    """The one image every ``nsl`` container runs, tagged with the package version."""
    return f"{IMAGE_REPOSITORY}:{version.replace('+', '-')}"
