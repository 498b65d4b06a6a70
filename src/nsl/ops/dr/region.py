"""A "region": one service layer's directories, port and environment inside the drill's work dir.

Operator material (master key, admin key, recovery shares) and the ``offsite`` backup target
live beside the regions, never inside one: a region can be destroyed whole.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Operator:
    """What operators keep outside every region."""

    workdir: Path
    master_key: str  # 64 hex digits
    admin_key: str
    backup_every_s: float  # incremental / WAL shipping interval during the drill

    @property
    def recovery_dir(self) -> Path:
        return self.workdir / "recovery"

    @property
    def offsite(self) -> Path:
        return self.workdir / "offsite"

    def shares(self) -> list[Path]:
        return sorted(self.recovery_dir.glob("share-*-of-*.json"))


@dataclass
class Region:
    name: str
    operator: Operator
    engine: str  # "sqlite" | "postgresql"
    port: int = field(default_factory=free_port)
    database_url: str | None = None  # PostgreSQL: the region's throw-away cluster
    wal_spool_dir: Path | None = None  # PostgreSQL: where the cluster archives WAL

    @property
    def root(self) -> Path:
        return self.operator.workdir / self.name

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def local_backups(self) -> Path:
        return self.root / "backups-local"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sqlite_files(self) -> list[Path]:
        return [self.data_dir / name for name in ("nsl.db", "nsl.db-wal", "nsl.db-shm")]

    def targets(self) -> list[dict[str, str]]:
        return [
            {"name": "local", "path": str(self.local_backups)},
            {"name": "offsite", "path": str(self.operator.offsite)},
        ]

    def env(self) -> dict[str, str]:
        """The service layer's environment: the caller's minus its ``NSL_`` variables, plus ours."""
        op = self.operator
        values = {
            "NSL_ENV": "development",
            "NSL_DATA_DIR": str(self.data_dir),
            "NSL_MASTER_KEY": op.master_key,
            "NSL_BOOTSTRAP_ADMIN_KEY": op.admin_key,
            "NSL_CHAINS__DEV__START": "false",
            "NSL_RATE_LIMIT__ENABLED": "false",  # the writer is faster than a client's budget
            "NSL_BACKUP__TARGETS": json.dumps(self.targets()),
            "NSL_BACKUP__INCREMENTAL_INTERVAL_S": str(op.backup_every_s),
            "NSL_BACKUP__SCHEDULER_TICK_S": str(min(op.backup_every_s, 1.0)),
            "NSL_BACKUP__CONFIG_COALESCE_S": "0",
            "NSL_BACKUP__KEYS_INTERVAL_S": str(op.backup_every_s),
            "NSL_BACKUP__RECOVERY_PUBLIC_KEY_FILE": str(op.recovery_dir / "recovery.pub"),
        }
        if self.database_url is not None:
            values["NSL_DATABASE__URL"] = self.database_url
            values["NSL_BACKUP__POSTGRES_METHOD"] = "physical"
            values["NSL_BACKUP__WAL_SHIP_INTERVAL_S"] = str(op.backup_every_s)
            values["NSL_BACKUP__WAL_ARCHIVE_WAIT_S"] = "30"
        if self.wal_spool_dir is not None:
            values["NSL_BACKUP__WAL_SPOOL_DIR"] = str(self.wal_spool_dir)
        inherited = {k: v for k, v in os.environ.items() if not k.upper().startswith("NSL_")}
        return {**inherited, **values}
