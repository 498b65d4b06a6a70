"""The cost of the gateway in front of a service process (``nsl deploy`` / manifests topology).

An authenticated configuration read sent to ``nsl serve --only configuration`` directly (the
baseline, measured in the same run) and through ``nsl serve --gateway`` proxying to it. Both
processes share one SQLite data dir. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import servers
from bench.load import Load, require_wrk, run_wrk
from bench.run import CONFIG_KEY, READY_DEADLINE_S, service_env
from bench.servers import BIN, BenchError, Server
from nsl.client import Client

PATH = f"/api/v1/configuration/{CONFIG_KEY}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="1 s runs (CI)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.warmup = 1.0, 1.0
    return args


def start(name: str, args: list[str], data_dir: Path, env: dict[str, str], log: Path) -> Server:
    port = servers.free_port()
    argv = [str(BIN / "nsl"), "serve", *args, "--port", str(port), "--data-dir", str(data_dir)]
    server = servers.start(name, argv, port, log, env=env)
    servers.wait_ready(server, "/health/ready", READY_DEADLINE_S)
    return server


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = require_wrk()
    admin_key = "nsl_bench_" + secrets.token_urlsafe(32)
    started: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="nsl-bench-rollout-") as tmp:
        workdir = Path(tmp)
        data_dir = workdir / "data"
        env = {**service_env(admin_key), "NSL_CHAINS__DEV__START": "false"}
        try:
            service = start(
                "configuration process", ["--only", "configuration"], data_dir, env,
                workdir / "service.log",
            )  # fmt: skip
            started.append(service)
            gateway_env = {
                **env,
                "NSL_GATEWAY__UPSTREAMS": json.dumps({"configuration": service.base_url}),
            }
            gateway = start("gateway", ["--gateway"], data_dir, gateway_env, workdir / "gw.log")
            started.append(gateway)
            with Client(gateway.base_url, api_key=admin_key) as client:
                client.set_config(CONFIG_KEY, {"answer": 42}, description="benchmark read target")
            load = Load(args.connections, args.duration)
            figures = {}
            for name, server in (("direct", service), ("proxied", gateway)):
                url = server.base_url + PATH
                run_wrk(wrk, url, Load(args.connections, args.warmup), admin_key)
                figures[name] = run_wrk(wrk, url, load, admin_key)
        except BenchError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 1
        finally:
            for server in started:
                servers.stop(server)
    direct, proxied = figures["direct"], figures["proxied"]
    line = {
        "scenario": "gateway_proxy_config_read",
        "rps": round(proxied.rps, 1),
        "p50_ms": proxied.p50_ms,
        "p99_ms": proxied.p99_ms,
        "baseline": "the same read sent to the service process directly",
        "baseline_rps": round(direct.rps, 1),
        "baseline_p50_ms": direct.p50_ms,
        "ratio": round(proxied.rps / direct.rps, 3),
        "connections": args.connections,
        "duration_s": args.duration,
    }
    print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
