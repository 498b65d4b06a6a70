"""Service processes this machine runs for ``nsl deploy``: spawn, record, check and drain them.

Processes are detached (their own session) and outlive the command; their pids, ports and
versions are kept in ``<data dir>/deploy/processes.json`` (written atomically).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from nsl.ops.safewrite import replace_file

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class ProcessRecord:
    key: str  # "gateway" or "<group>:<colour>"
    services: tuple[str, ...]
    port: int
    pid: int
    executable: str
    log: str
    started_at: str

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"


def default_executable() -> str:
    return str(Path(sys.executable).with_name("nsl"))


class ProcessTable:
    def __init__(self, data_dir: Path) -> None:
        self.directory = data_dir / "deploy"
        self.path = self.directory / "processes.json"

    def load(self) -> dict[str, ProcessRecord]:
        if not self.path.exists():
            return {}
        raw = json.loads(self.path.read_text())
        return {
            key: ProcessRecord(**{**value, "services": tuple(value["services"])})
            for key, value in raw.items()
        }

    def save(self, records: dict[str, ProcessRecord]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = json.dumps({k: asdict(v) for k, v in sorted(records.items())}, indent=2)
        replace_file(self.path, body.encode(), 0o600, datetime.now(UTC))

    def running(self) -> dict[str, ProcessRecord]:
        """Records whose process is still alive."""
        return {key: r for key, r in self.load().items() if alive(r.pid)}

    def put(self, record: ProcessRecord) -> None:
        records = self.load()
        records[record.key] = record
        self.save(records)

    def drop(self, key: str) -> None:
        records = self.load()
        records.pop(key, None)
        self.save(records)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of this very process is not alive
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return finished == 0


def spawn(
    key: str,
    args: list[str],
    services: tuple[str, ...],
    port: int,
    env: dict[str, str],
    table: ProcessTable,
    executable: str | None = None,
) -> ProcessRecord:
    """Start ``nsl <args> --port P`` detached, logging to ``deploy/logs/<key>.log``."""
    binary = executable or default_executable()
    logs = table.directory / "logs"
    logs.mkdir(parents=True, exist_ok=True, mode=0o700)
    log_path = logs / (key.replace(":", "-") + ".log")
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603  # argv is ours, no shell
            [binary, *args, "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    record = ProcessRecord(
        key, services, port, process.pid, binary, str(log_path), datetime.now(UTC).isoformat()
    )
    table.put(record)
    return record


def stop(record: ProcessRecord, drain_timeout_s: float) -> bool:
    """SIGTERM (the server finishes in-flight requests), SIGKILL after the timeout.

    Whether it ended within the drain timeout.
    """
    if not alive(record.pid):
        return True
    try:
        os.killpg(record.pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + drain_timeout_s
    while time.monotonic() < deadline:
        if not alive(record.pid):
            return True
        time.sleep(0.05)  # polling another process's exit
    os.killpg(record.pid, signal.SIGKILL)
    return False
