"""Start the servers under test as process groups on free loopback ports, and stop them all."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent


class BenchError(RuntimeError):
    """The benchmark cannot go on; the message says why."""


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(
    name: str,
    argv: Sequence[str],
    port: int,
    log_path: Path,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Server:
    """Run ``argv`` in its own session (so its workers can be stopped as a group).

    ``cwd`` defaults to the log's directory; ``env`` to this process's environment.
    """
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd or log_path.parent,
            env=dict(env if env is not None else os.environ),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, process, f"http://127.0.0.1:{port}", log_path)


def raw_app_argv(port: int) -> list[str]:
    """The baseline under the same server and options as ``nsl up`` (nsl.gateway.serve)."""
    return [
        str(BIN / "granian"),
        "--interface", "asgi",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", "1",
        "--loop", "uvloop",
        "bench.raw_app:app",
    ]  # fmt: skip


def nsl_argv(port: int, data_dir: Path) -> list[str]:
    return [
        str(BIN / "nsl"), "up",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--data-dir", str(data_dir),
    ]  # fmt: skip


def nsl_available() -> str | None:
    """None when ``nsl up`` exists, else why not."""
    command = [str(BIN / "nsl"), "up", "--help"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`{' '.join(command)}` could not run: {exc}"
    if done.returncode != 0:
        return f"`{' '.join(command)}` exited {done.returncode}: {done.stderr.strip()[-500:]}"
    return None


def wait_ready(server: Server, path: str, deadline_s: float) -> None:
    """Poll ``path`` until it answers 200; fail early if the process dies."""
    deadline = time.monotonic() + deadline_s
    last = "no answer yet"
    with httpx.Client(base_url=server.base_url, timeout=2.0) as http:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise BenchError(
                    f"{server.name} exited with {server.process.returncode} before it was ready;"
                    f" log {server.log_path}:\n{server.log_tail()}"
                )
            try:
                response = http.get(path)
                if response.status_code == 200:
                    return
                last = f"{response.status_code} {response.text[:200]}"
            except httpx.TransportError as exc:
                last = repr(exc)
            time.sleep(0.1)
    raise BenchError(
        f"{server.name} not ready on {path} after {deadline_s:.0f} s (last: {last});"
        f" log {server.log_path}:\n{server.log_tail()}"
    )


def stop(server: Server, grace_s: float = 10.0) -> None:
    """SIGTERM the server's process group; SIGKILL what is left of it after ``grace_s``.

    The leader is reaped only after the group is killed, so its id cannot have been reused.
    """
    process = server.process
    if process.returncode is None:
        _signal_group(process.pid, signal.SIGTERM)
        _wait_unreaped(process.pid, grace_s)
    _signal_group(process.pid, signal.SIGKILL)  # workers that outlived it, or a hung leader
    process.wait(timeout=grace_s)


def _wait_unreaped(pid: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None:
                return
        except ChildProcessError:
            return
        time.sleep(0.05)


def _signal_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, sig)
