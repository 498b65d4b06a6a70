"""A dev-chain node as a child process: free loopback port, start, readiness poll, stop."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

POLL_INTERVAL_S = 0.02
STOP_TIMEOUT_S = 10.0
LOG_TAIL_BYTES = 2000
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends SIGTERM when the parent dies, so a node never
    outlives a host that was killed without a chance to stop it (Linux only)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def probe_rpc(url: str, method: str) -> Any:
    """One JSON-RPC call to a dev node on loopback; None while it does not answer yet."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": []}).encode()
    request = urllib.request.Request(  # noqa: S310  # our own loopback http URL
        url, data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=1.0) as response:  # noqa: S310
            return json.loads(response.read()).get("result")
    except (OSError, urllib.error.URLError, ValueError):
        return None


class DevProcess:
    """One node binary with its log file. The child gets its own process group so a stop
    reaches every process it spawned."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        *,
        cwd: Path,
        log_path: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = argv
        self.cwd = cwd
        self.log_path = log_path
        self.env = env
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        if self.running:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        environment = {**os.environ, **(self.env or {})}
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(  # noqa: S603  # argv is ours, no shell
                self.argv,
                cwd=self.cwd,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # only prctl, before exec
            )

    def stop(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            self._process = None
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(STOP_TIMEOUT_S)
        except ProcessLookupError:
            process.wait(STOP_TIMEOUT_S)
        self._process = None

    def log_tail(self) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - LOG_TAIL_BYTES))
                return log.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_until(self, predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
        """Poll ``predicate`` until true; fail with the log's tail if the process dies or the
        deadline passes."""
        deadline = time.monotonic() + timeout_s
        while not predicate():
            if not self.running:
                raise RuntimeError(f"{self.name} exited before {what}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.name}: no {what} after {timeout_s:g} s:\n{self.log_tail()}"
                )
            time.sleep(POLL_INTERVAL_S)
