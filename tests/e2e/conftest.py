"""Real ``nsl`` processes on loopback, driven over HTTP only."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

NSL = str(Path(sys.executable).with_name("nsl"))
ADMIN_KEY = "nsl_e2e_admin_" + "q" * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class NslProcess:
    """One ``nsl`` command serving on a free port, with its own data dir and log file."""

    def __init__(
        self,
        data_dir: Path,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
        verify: ssl.SSLContext | None = None,
    ):
        self.data_dir = data_dir
        self.port = free_port()
        self.verify: ssl.SSLContext | bool = verify or True
        self.url = f"https://localhost:{self.port}" if verify else f"http://127.0.0.1:{self.port}"
        self.args = args or ["up"]
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("NSL_")},
            "NSL_ENV": "test",
            "NSL_CHAINS__DEV__START": "false",  # the chain e2e tests turn it back on
            **(env or {}),
        }
        self.log_path = data_dir.parent / f"nsl-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> NslProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [NSL, *self.args, "--port", str(self.port), "--data-dir", str(self.data_dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"nsl exited with {self.proc.returncode}:\n{self.output()}")
            try:
                ready = httpx.get(self.url + "/health/ready", timeout=1, verify=self.verify)
                if ready.status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)  # polling a starting process, not waiting for a result
        self.kill()
        raise AssertionError(f"nsl not ready after {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Any]:
    started: list[NslProcess] = []

    def factory(
        data_dir: Path | None = None,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> NslProcess:
        process = NslProcess(data_dir or tmp_path / "var", args, env).start()
        started.append(process)
        return process

    yield factory
    for process in started:
        process.stop()


def run_nsl(
    *args: str, data_dir: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NSL_")},
        "NSL_ENV": "test",
        "NSL_DATA_DIR": str(data_dir),
        **(env or {}),
    }
    return subprocess.run([NSL, *args], capture_output=True, text=True, env=full_env, timeout=120)
