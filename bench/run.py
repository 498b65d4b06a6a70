"""Benchmark entry (``make bench``): the service layer against baselines measured in the same run.

HTTP scenarios compare with a raw ASGI app on the same server; key and randomness scenarios
compare with the raw library operation in-process (one core) and with the gateway's own
authenticated read. Prints one JSON line per scenario on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import libraries, servers
from bench.load import Figures, Load, require_wrk, run_wrk
from bench.servers import BenchError, Server
from nsl.client import Client

READY_DEADLINE_S = 90.0
CONFIG_KEY = "bench.value"
HIGH_LIMIT = "100000000"
BUSY_SHARE = 0.15


AUTH_READ = "config_read_authenticated"
SIGN_TARGET_RPS = 3000  # 3x AWS KMS's per-account ECC quota
SIGN_TARGET_RATIO_TO_READ = 0.8


@dataclass(frozen=True)
class Scenario:
    """``path`` and ``body`` may name prepared objects (``{key_r1}``); a ``library`` scenario
    is compared with that raw library operation instead of the raw ASGI app."""

    name: str
    path: str
    authenticated: bool
    body: str | None = None
    library: str | None = None


SIGN_BODY = '{"data": "48656c6c6f204e656f", "scheme": "%s"}'
SCENARIOS = (
    Scenario("health_live", "/health/live", authenticated=False),
    Scenario(AUTH_READ, f"/api/v1/configuration/{CONFIG_KEY}", True),
    Scenario(
        "keys_sign_secp256r1",
        "/api/v1/keys/{key_r1}/sign",
        True,
        SIGN_BODY % "ecdsa-sha256",
        "cryptography P-256 ECDSA-SHA256 sign",
    ),
    Scenario(
        "keys_sign_secp256k1",
        "/api/v1/keys/{key_k1}/sign",
        True,
        SIGN_BODY % "eip191",
        "coincurve secp256k1 recoverable sign",
    ),
    Scenario(
        "randomness_generate",
        "/api/v1/randomness",
        True,
        '{"alpha": "6e736c2d62656e6368", "count": 1}',
        "nsl ECVRF-P256-SHA256-TAI prove",
    ),
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="1 s runs (CI)")
    parser.add_argument("--scenario", action="append", choices=[s.name for s in SCENARIOS])
    parser.add_argument("--out", type=Path, help="also write the JSON lines to this file")
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.warmup = 1.0, 1.0
    return args


def service_env(admin_key: str) -> dict[str, str]:
    """The caller's environment without its ``NSL_*`` settings, plus the bench's own."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("NSL_")}
    env.update(
        NSL_BOOTSTRAP_ADMIN_KEY=admin_key,
        NSL_RATE_LIMIT__PER_IP__READ=HIGH_LIMIT,
        NSL_RATE_LIMIT__PER_PRINCIPAL__READ=HIGH_LIMIT,
        NSL_RATE_LIMIT__PER_IP__WRITE=HIGH_LIMIT,
        NSL_RATE_LIMIT__PER_PRINCIPAL__WRITE=HIGH_LIMIT,
    )
    return env


@contextmanager
def running(workdir: Path, admin_key: str) -> Iterator[tuple[Server, Server]]:
    """The raw app and ``nsl up``, both ready; both stopped (process groups) on the way out."""
    started: list[Server] = []
    try:
        port = servers.free_port()
        raw_log = workdir / "raw_app.log"
        raw_argv = servers.raw_app_argv(port)
        started.append(servers.start("raw ASGI app", raw_argv, port, raw_log, cwd=servers.REPO))
        servers.wait_ready(started[-1], "/", READY_DEADLINE_S)
        port, data_dir = servers.free_port(), workdir / "data"
        data_dir.mkdir()
        nsl_argv = servers.nsl_argv(port, data_dir)
        env = service_env(admin_key)
        started.append(servers.start("nsl up", nsl_argv, port, workdir / "nsl.log", env=env))
        servers.wait_ready(started[-1], "/health/ready", READY_DEADLINE_S)
        yield started[0], started[1]
    finally:
        for server in started:
            servers.stop(server)


def prepare(service: Server, admin_key: str) -> dict[str, str]:
    """Create what the scenarios use (a configuration value, one key per curve), checked once."""
    with Client(service.base_url, api_key=admin_key) as client:
        client.set_config(CONFIG_KEY, {"answer": 42}, description="benchmark read target")
        client.get_config(CONFIG_KEY)
        keys = {}
        for name, key_type in (("key_r1", "secp256r1"), ("key_k1", "secp256k1")):
            created = client.create_managed_key(
                key_type, name=f"bench-{key_type}", rate_limit_per_minute=100_000_000
            )
            keys[name] = str(created["key_id"])
        client.sign(keys["key_r1"], bytes.fromhex("00"))
        return keys


def measure(
    wrk: str,
    server: Server,
    scenario: Scenario,
    load: Load,
    warmup: float,
    key: str,
    names: dict[str, str],
) -> Figures:
    url = server.base_url + scenario.path.format(**names)
    api_key = key if scenario.authenticated else None
    run_wrk(wrk, url, Load(load.connections, warmup, load.threads), api_key, scenario.body)
    return run_wrk(wrk, url, load, api_key, scenario.body)


def bench(args: argparse.Namespace, wrk: str, workdir: Path) -> list[dict[str, object]]:
    admin_key = secrets.token_urlsafe(36)  # 48 characters
    load = Load(connections=args.connections, duration_s=args.duration)
    chosen = [s for s in SCENARIOS if not args.scenario or s.name in args.scenario]
    if any(s.library for s in chosen) and not any(s.name == AUTH_READ for s in chosen):
        chosen.insert(0, next(s for s in SCENARIOS if s.name == AUTH_READ))  # the reference
    lines: list[dict[str, object]] = []
    auth_read: Figures | None = None
    with running(workdir, admin_key) as (raw, service):
        names = prepare(service, admin_key)
        for scenario in chosen:
            _warn_if_busy()
            if scenario.library is not None:
                _progress(f"{scenario.name}: baseline ({scenario.library}, in-process)")
                library_ops = libraries.ops_per_second(scenario.library, args.duration)
                _progress(f"{scenario.name}: service layer")
                got = measure(wrk, service, scenario, load, args.warmup, admin_key, names)
                line = library_line(scenario, got, library_ops, auth_read, load)
            else:
                _progress(f"{scenario.name}: baseline (raw ASGI app)")
                base = measure(wrk, raw, scenario, load, args.warmup, admin_key, names)
                _progress(f"{scenario.name}: service layer")
                got = measure(wrk, service, scenario, load, args.warmup, admin_key, names)
                line = result_line(scenario, got, base, load)
                if scenario.name == AUTH_READ:
                    auth_read = got
            print(json.dumps(line), flush=True)
            lines.append(line)
    return lines


def result_line(scenario: Scenario, got: Figures, base: Figures, load: Load) -> dict[str, object]:
    return {
        "scenario": scenario.name,
        "rps": round(got.rps, 1),
        "p50_ms": round(got.p50_ms, 3),
        "p99_ms": round(got.p99_ms, 3),
        "baseline_rps": round(base.rps, 1),
        "ratio": round(got.rps / base.rps, 3),
        "connections": load.connections,
        "duration_s": load.duration_s,
        "baseline_p50_ms": round(base.p50_ms, 3),
        "baseline_p99_ms": round(base.p99_ms, 3),
    }


def library_line(
    scenario: Scenario, got: Figures, library_ops: float, auth_read: Figures | None, load: Load
) -> dict[str, object]:
    line: dict[str, object] = {
        "scenario": scenario.name,
        "rps": round(got.rps, 1),
        "p50_ms": round(got.p50_ms, 3),
        "p99_ms": round(got.p99_ms, 3),
        "baseline": scenario.library,
        "baseline_ops_per_s": round(library_ops, 1),
        "ratio": round(got.rps / library_ops, 3),
        "connections": load.connections,
        "duration_s": load.duration_s,
    }
    if auth_read is not None:
        line["auth_read_rps"] = round(auth_read.rps, 1)
        line["ratio_to_auth_read"] = round(got.rps / auth_read.rps, 3)
    if scenario.name.startswith("keys_sign"):
        line["target_rps"] = SIGN_TARGET_RPS
        line["target_ratio_to_auth_read"] = SIGN_TARGET_RATIO_TO_READ
    return line


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    workdir = Path(tempfile.mkdtemp(prefix="nsl-bench-"))
    try:
        wrk = require_wrk()
        reason = servers.nsl_available()
        if reason is not None:
            raise BenchError(f"the service layer cannot be started: {reason}")
        lines = bench(args, wrk, workdir)
    except BenchError as exc:
        print(f"bench: {exc}\nbench: logs kept in {workdir}", file=sys.stderr)
        return 1
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("".join(json.dumps(line) + "\n" for line in lines))
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _warn_if_busy() -> None:
    """Say so when other work is using the CPUs right before a measurement (Linux only)."""
    busy = cpu_busy_share()
    if busy is not None and busy > BUSY_SHARE:
        _progress(f"warning: CPUs {busy:.0%} busy before measuring; other work skews figures")


def cpu_busy_share(interval_s: float = 1.0) -> float | None:
    """Share of all CPUs' time spent not idle over ``interval_s`` (None without /proc/stat)."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    try:
        total0, idle0 = sample()
        time.sleep(interval_s)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    total = total1 - total0
    return 1 - (idle1 - idle0) / total if total > 0 else None


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
