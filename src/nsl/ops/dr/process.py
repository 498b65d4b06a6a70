"""The service layer of one region as a detached ``nsl up`` process (reuses ops/deploy's spawn)."""

from __future__ import annotations

import os
import signal
import time

import httpx

from nsl.ops.deploy.processes import ProcessRecord, ProcessTable, alive, spawn, stop
from nsl.ops.dr.region import Region

POLL_S = 0.05


class NotReady(RuntimeError):
    """The process exited, or /health/ready did not answer 200 before the deadline."""


class ServiceLayer:
    """Start, kill and watch the region's ``nsl up`` (all services in one process group)."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self.table = ProcessTable(region.root)  # logs and pid table beside, not in, the data dir
        self.record: ProcessRecord | None = None

    def start(self) -> None:
        self.region.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        args = ["up", "--data-dir", str(self.region.data_dir)]
        self.record = spawn(
            self.region.name, args, ("all",), self.region.port, self.region.env(), self.table
        )

    def wait_ready(self, timeout_s: float) -> float:
        """Poll /health/ready; the wall-clock time of its first 200."""
        deadline = time.monotonic() + timeout_s
        last = "no answer"
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.record is not None and not alive(self.record.pid):
                    raise NotReady(f"{self.region.name} exited while starting: {self.log_tail()}")
                try:
                    response = client.get(self.region.url + "/health/ready")
                    if response.status_code == 200:
                        return time.time()
                    last = f"{response.status_code} {response.text[:200]}"
                except httpx.HTTPError as exc:
                    last = type(exc).__name__
                time.sleep(POLL_S)  # polling another process's readiness
        raise NotReady(f"{self.region.url} not ready after {timeout_s:.0f}s (last: {last})")

    def kill(self) -> None:
        """SIGKILL the whole process group (a crash: no draining) and reap it."""
        if self.record is None or not alive(self.record.pid):
            return
        os.killpg(self.record.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while alive(self.record.pid) and time.monotonic() < deadline:
            time.sleep(POLL_S)  # polling another process's exit

    def stop(self) -> None:
        if self.record is not None:
            stop(self.record, drain_timeout_s=15)
            self.table.drop(self.record.key)

    def running(self) -> bool:
        return self.record is not None and alive(self.record.pid)

    def log_tail(self, size: int = 2000) -> str:
        if self.record is None:
            return ""
        try:
            with open(self.record.log, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - size))
                return log.read().decode(errors="replace")
        except OSError:
            return ""
