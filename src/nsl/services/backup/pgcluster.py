"""A private PostgreSQL cluster in a directory: initdb, configure, start, stop, status, destroy.

API (used by base backups, PITR restores, `nsl backup verify` and the DR drills)::

    cluster = PgCluster(Path("/tmp/x/data"), port=free_port(), wal_spool_dir=Path("/tmp/x/spool"),
                        archive_timeout_s=60, fsync=True)
    cluster.init()            # initdb (refuses a non-empty data dir) + configure()
    cluster.start()           # waits (deadline) until it accepts connections
    cluster.sql("SELECT 1")   # psql over 127.0.0.1, superuser `postgres`, returns stdout text
    cluster.url("db")         # "postgresql://postgres@127.0.0.1:<port>/db"
    cluster.status()          # "running" | "stopped" | "absent"
    cluster.stop("fast")      # or "immediate" (a crash, for drills)
    cluster.destroy()         # stop if running, remove the data dir and the run dir

Layout: the data dir holds only PostgreSQL's files; the socket and the server log live in the
run dir `<data_dir>.run` (so base backups carry no sockets or logs). The cluster listens on
127.0.0.1 only with trust auth (incl. replication) and `wal_level=replica`; with a spool dir it
archives every finished WAL segment there (`test ! -f` so a segment is never overwritten;
copied to `<name>.tmp` then renamed, so a reader never sees half a segment).
As root, the server and initdb run as the OS user `postgres` (runuser) and the directories are
chowned to it; every ancestor must be traversable by `postgres` (use /tmp/..., not tmp_path).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from nsl.core.errors import NslError, ValidationFailed

StopMode = Literal["fast", "immediate", "smart"]
Status = Literal["running", "stopped", "absent"]
CONFIG_FILE = "nsl-cluster.conf"
SERVER_USER = "postgres"
READY_POLL_S = 0.05


class ClusterError(NslError):
    """A PostgreSQL tool failed; the detail carries its stderr tail (never secrets: trust auth)."""

    code = "backup.cluster_failed"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_bindir(configured: str | Path | None = None) -> Path:
    """The PostgreSQL binaries: the configured dir, `pg_config --bindir`, or the newest
    /usr/lib/postgresql/<n>/bin that holds `postgres`."""
    if configured:
        return Path(configured)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)  # noqa: S603  # argv is ours, no shell
        candidate = Path(out.stdout.strip())
        if out.returncode == 0 and (candidate / "postgres").exists():
            return candidate
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not versions:
        raise ClusterError("no PostgreSQL server binaries found (pg_config, /usr/lib/postgresql)")
    return versions[-1].parent


def running_as_root() -> bool:
    return os.geteuid() == 0


def _conf_path(path: Path, name: str) -> str:
    text = str(path)
    if "'" in text or "\\" in text or any(c.isspace() for c in text):
        raise ValidationFailed.on(name, "plain_path", "must not contain quotes, spaces or \\")
    return text


@dataclass
class PgCluster:
    """One throw-away or operator-owned cluster: a data dir and the loopback port it serves."""

    data_dir: Path
    port: int
    wal_spool_dir: Path | None = None
    archive_timeout_s: int = 60
    fsync: bool = True
    bindir: Path = field(default_factory=find_bindir)
    start_timeout_s: float = 60.0

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).absolute()
        _conf_path(self.run_dir, "data_dir")
        if self.wal_spool_dir is not None:
            self.wal_spool_dir = Path(self.wal_spool_dir).absolute()
            _conf_path(self.wal_spool_dir, "wal_spool_dir")

    @property
    def run_dir(self) -> Path:
        return self.data_dir.with_name(self.data_dir.name + ".run")

    @property
    def log_file(self) -> Path:
        return self.run_dir / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    # -- lifecycle -------------------------------------------------------------------------

    def init(self) -> None:
        """initdb into an empty (or missing) data dir, then write the configuration."""
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise ValidationFailed.on("data_dir", "empty", f"{self.data_dir} is not empty")
        self._check_traversable()
        self._own_dir(self.data_dir, mode=0o700)
        args = ["initdb", "-D", str(self.data_dir), "-U", SERVER_USER, "--auth=trust"]
        args += ["--encoding=UTF8", "--locale=C"] + ([] if self.fsync else ["--no-sync"])
        self._run_as_server(args)
        self.configure()

    def configure(self) -> None:
        """(Re)write our settings file, include it from postgresql.conf, and write pg_hba.conf."""
        self._own_dir(self.run_dir, mode=0o700)
        lines = [
            "listen_addresses = '127.0.0.1'",
            f"port = {int(self.port)}",
            f"unix_socket_directories = '{_conf_path(self.run_dir, 'data_dir')}'",
            "wal_level = replica",
            "max_wal_senders = 5",
            f"fsync = {'on' if self.fsync else 'off'}",
        ]
        if self.wal_spool_dir is not None:
            spool = _conf_path(self.wal_spool_dir, "wal_spool_dir")
            self._own_dir(self.wal_spool_dir, mode=0o750)
            lines += [
                "archive_mode = on",
                f"archive_command = 'test ! -f {spool}/%f && "
                f"cp -p %p {spool}/%f.tmp && mv {spool}/%f.tmp {spool}/%f'",
                f"archive_timeout = {int(self.archive_timeout_s)}",
            ]
        else:
            lines.append("archive_mode = off")
        self._write(self.data_dir / CONFIG_FILE, "\n".join(lines) + "\n")
        self.include_in_postgresql_conf(CONFIG_FILE)
        hba = [
            "local all all trust",
            "local replication all trust",
            "host all all 127.0.0.1/32 trust",
            "host replication all 127.0.0.1/32 trust",
        ]
        self._write(self.data_dir / "pg_hba.conf", "\n".join(hba) + "\n")

    def include_in_postgresql_conf(self, name: str) -> None:
        """Append `include_if_exists = '<name>'` to postgresql.conf once (later lines win)."""
        conf = self.data_dir / "postgresql.conf"
        text = conf.read_text() if conf.exists() else ""
        line = f"include_if_exists = '{name}'"
        if line not in text.splitlines():
            self._write(
                conf, text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
            )

    def start(self, timeout_s: float | None = None) -> None:
        """Start the server and return once it accepts connections (or raise at the deadline)."""
        deadline = timeout_s if timeout_s is not None else self.start_timeout_s
        self._own_dir(self.run_dir, mode=0o700)
        args = ["pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-w"]
        self._run_as_server([*args, "-t", str(int(max(deadline, 1))), "start"], log=True)
        self.wait_ready(deadline)

    def wait_ready(self, timeout_s: float) -> None:
        """Poll `pg_isready` until it answers or the deadline passes."""
        end = time.monotonic() + timeout_s
        while True:
            probe = [str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
            if subprocess.run(probe, check=False, cwd="/").returncode == 0:  # noqa: S603  # argv is ours, no shell
                return
            if time.monotonic() > end:
                raise ClusterError(f"cluster on port {self.port} not ready after {timeout_s} s")
            time.sleep(READY_POLL_S)

    def stop(self, mode: StopMode = "fast", timeout_s: float = 60.0) -> None:
        """Stop the server (no-op when it is not running)."""
        if self.status() != "running":
            return
        args = ["pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "-t", str(int(timeout_s))]
        self._run_as_server([*args, "stop"], log=True)

    def status(self) -> Status:
        if not (self.data_dir / "PG_VERSION").exists():
            return "absent"
        args = [str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "status"]
        done = subprocess.run(self._as_server(args), capture_output=True, check=False, cwd="/")  # noqa: S603  # argv is ours, no shell
        return "running" if done.returncode == 0 else "stopped"

    def destroy(self) -> None:
        """Stop immediately if running, then remove the data dir and the run dir."""
        if self.status() == "running":
            self.stop("immediate")
        shutil.rmtree(self.data_dir, ignore_errors=True)
        shutil.rmtree(self.run_dir, ignore_errors=True)

    # -- queries ---------------------------------------------------------------------------

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run SQL with psql as the superuser over 127.0.0.1; unaligned, tuples-only output."""
        args = [str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        args += ["-h", "127.0.0.1", "-p", str(self.port), "-U", SERVER_USER, "-d", database]
        done = subprocess.run(  # noqa: S603  # argv is ours, no shell
            [*args, "-c", statement], capture_output=True, text=True, check=False, cwd="/"
        )
        if done.returncode != 0:
            raise ClusterError(f"psql on port {self.port} failed: {done.stderr.strip()[-500:]}")
        return done.stdout.strip()

    def create_database(self, name: str) -> None:
        if not name.replace("_", "").isalnum():
            raise ValidationFailed.on("database", "identifier", "letters, digits and _ only")
        self.sql(f'CREATE DATABASE "{name}"')

    # -- helpers ---------------------------------------------------------------------------

    def _as_server(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", SERVER_USER, "--", *args] if running_as_root() else args

    def _run_as_server(self, args: list[str], *, log: bool = False) -> None:
        command = self._as_server([str(self.bindir / args[0]), *args[1:]])
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd="/")  # noqa: S603  # argv is ours, no shell
        if done.returncode != 0:
            tail = done.stderr.strip()[-800:]
            if log and self.log_file.exists():
                tail += "\n" + self.log_file.read_text(errors="replace")[-1500:]
            raise ClusterError(f"{args[0]} {args[-1]} failed: {tail}")

    def _check_traversable(self) -> None:
        """As root: fail early and clearly when `postgres` cannot reach the data dir's parent."""
        parent = self.data_dir.parent
        parent.mkdir(parents=True, exist_ok=True)
        if running_as_root():
            probe = ["runuser", "-u", SERVER_USER, "--", "test", "-x", str(parent)]
            if subprocess.run(probe, check=False, cwd="/").returncode != 0:  # noqa: S603  # argv is ours, no shell
                raise ValidationFailed.on(
                    "data_dir", "reachable", f"OS user postgres cannot traverse {parent}"
                )

    def _own_dir(self, path: Path, *, mode: int) -> None:
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(mode)
        if running_as_root():
            shutil.chown(path, SERVER_USER, SERVER_USER)

    def _write(self, path: Path, text: str) -> None:
        path.write_text(text)
        path.chmod(0o600)
        if running_as_root():
            shutil.chown(path, SERVER_USER, SERVER_USER)
