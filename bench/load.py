"""The load generator: wrk with a Lua ``done()`` hook that prints exact figures as JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.servers import BenchError

SCRIPT = Path(__file__).resolve().parent / "report.lua"
MARKER = "BENCH_JSON "


@dataclass(frozen=True)
class Load:
    """How hard and how long to push: wrk ``-t{threads} -c{connections} -d{duration_s}s``."""

    connections: int
    duration_s: float
    threads: int = 1


@dataclass(frozen=True)
class Figures:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float


def require_wrk() -> str:
    """wrk's path, or a clear failure (there is deliberately no fallback generator)."""
    path = shutil.which("wrk")
    if path is None:
        raise BenchError(
            "wrk is not installed: `apt-get install -y wrk` (`make bench` does it), then rerun"
        )
    return path


def run_wrk(
    wrk: str, url: str, load: Load, api_key: str | None = None, body: str | None = None
) -> Figures:
    """One wrk run against ``url`` (a POST of ``body`` when given); fails on any socket error
    or non-2xx/3xx answer."""
    command = [
        wrk,
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{load.duration_s:g}s",
        "--latency",
        "-s", str(SCRIPT),
        url,
    ]  # fmt: skip
    env = {**os.environ, "NSL_BENCH_API_KEY": api_key or "", "NSL_BENCH_BODY": body or ""}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=load.duration_s + 30
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk did not finish in time against {url}") from exc
    if done.returncode != 0:
        raise BenchError(f"wrk exited {done.returncode}: {done.stderr.strip() or done.stdout}")
    return parse_report(done.stdout, url)


def parse_report(output: str, url: str) -> Figures:
    """Read the ``done()`` hook's JSON line out of wrk's output."""
    lines = [line for line in output.splitlines() if line.startswith(MARKER)]
    if not lines:
        raise BenchError(f"wrk printed no {MARKER.strip()} line for {url}:\n{output}")
    report = json.loads(lines[-1][len(MARKER) :])
    errors = {name: count for name, count in report["errors"].items() if count}
    if errors:
        raise BenchError(f"wrk saw errors against {url}: {errors}\n{output}")
    if report["requests"] == 0:
        raise BenchError(f"wrk completed no request against {url}")
    latency = report["latency_us"]
    return Figures(
        requests=report["requests"],
        rps=report["requests"] / (report["duration_us"] / 1e6),
        p50_ms=latency["p50"] / 1000,
        p99_ms=latency["p99"] / 1000,
    )
