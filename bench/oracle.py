"""Oracle benchmark: latest-read throughput (authenticated, cached) through the in-process app
against the raw ASGI app through the same transport, and round latency from the sources'
answers to a final report signed by a 3-of-4 quorum (four nodes on one database), against
the bare fetch of the same sources. Prints one JSON object on stdout."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import raw_app
from nsl.core.settings import OracleSigner, Settings
from nsl.gateway.app import create_app
from nsl.runtime import Runtime

ADMIN_KEY = "nsl_bench_admin_" + "b" * 40
HIGH = 100_000_000
FEED = "NEO/USD"
SOURCES = ("a", "b", "c", "d")
SLICES = 5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of reads per run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--smoke", action="store_true", help="short runs (CI)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.rounds = 1.0, 3
    return args


class Prices:
    def __init__(self) -> None:
        self.value = 7.0
        self.port = 0
        self.runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{name}", self._answer)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _answer(self, request: web.Request) -> web.Response:
        offset = SOURCES.index(request.match_info["name"]) * 0.001
        return web.Response(text=f'{{"price": "{self.value + offset:.4f}"}}')

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


def settings(data_dir: Path, node: int) -> Settings:
    limits = {"auth": HIGH, "read": HIGH, "write": HIGH}
    return Settings(
        env="test",
        data_dir=data_dir,
        bootstrap_admin_key=ADMIN_KEY,
        log_level="WARNING",
        rate_limit={"per_ip": limits, "per_principal": limits},
        oracle={
            "node_id": f"node-{node}",
            "round_interval_s": 3600,
            "allow_loopback_sources": True,
            "rate_limit_per_minute": HIGH,
            "latest_cache_s": 1.0,
        },
    )


async def hammer(
    app: Any, path: str, headers: dict[str, str], duration: float, workers: int
) -> float:
    """Requests per second with ``workers`` concurrent callers for ``duration`` seconds."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as http:
        count = 0
        deadline = time.perf_counter() + duration

        async def worker() -> None:
            nonlocal count
            while time.perf_counter() < deadline:
                response = await http.get(path, headers=headers)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
                count += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(workers)))
        return count / (time.perf_counter() - start)


async def alternating(
    app: Any, path: str, headers: dict[str, str], args: argparse.Namespace
) -> tuple[float, float]:
    """Both figures from interleaved slices, so a noisy neighbour weighs on both alike."""
    oracle, raw = [], []
    for _ in range(SLICES):
        oracle.append(await hammer(app, path, headers, args.duration / SLICES, args.concurrency))
        raw.append(await hammer(raw_app.app, "/", {}, args.duration / SLICES, args.concurrency))
    return statistics.mean(oracle), statistics.mean(raw)


async def one_round(nodes: list[Runtime], round_id: int) -> float:
    start = time.perf_counter()
    for _ in range(6):
        for node in nodes:
            await node.services["oracle"].run_task_once("rounds")
        latest = await nodes[0].services["oracle"].latest_report(FEED)
        if latest is not None and latest["round_id"] == round_id:
            return time.perf_counter() - start
    raise RuntimeError(f"round {round_id} did not finalize")


async def bare_fetch(prices: Prices) -> float:
    async with httpx.AsyncClient() as http:
        start = time.perf_counter()
        await asyncio.gather(*(http.get(prices.url(s)) for s in SOURCES))
        return time.perf_counter() - start


async def main(args: argparse.Namespace) -> dict[str, Any]:
    prices = Prices()
    await prices.start()
    with tempfile.TemporaryDirectory(prefix="nsl-bench-oracle-") as tmp:
        data_dir = Path(tmp)
        nodes = [Runtime(settings(data_dir, i), only=["oracle"]) for i in range(1, 5)]
        for node in nodes:
            await node.start()
        try:
            signers = [
                OracleSigner(neo_n3=k.n3_public.hex(), neo_x=k.x_public.hex())
                for k in (n.services["oracle"].keys.own() for n in nodes)
            ]
            for node in nodes:
                node.settings.oracle.signers = signers
            app = create_app(nodes[0].settings, runtime=nodes[0])
            admin = {"X-API-Key": ADMIN_KEY}
            body = {
                "name": FEED,
                "sources": [{"name": s, "url": prices.url(s), "path": "$.price"} for s in SOURCES],
            }
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as http:
                created = await http.post("/api/v1/oracle/feeds", json=body, headers=admin)
                created.raise_for_status()
            latencies, fetches = [], []
            for round_id in range(1, args.rounds + 1):
                prices.value *= 1.01  # a 1 % move: every round is due
                fetches.append(await bare_fetch(prices))
                latencies.append(await one_round(nodes, round_id))
            path = f"/api/v1/oracle/feeds/{FEED}/latest"
            oracle_rps, raw_rps = await alternating(app, path, admin, args)
        finally:
            for node in nodes:
                await node.stop()
    assert prices.runner is not None
    await prices.runner.cleanup()
    p50 = statistics.median(latencies)
    p95 = sorted(latencies)[max(int(len(latencies) * 0.95) - 1, 0)]
    fetch50 = statistics.median(fetches)
    return {
        "scenario": "oracle",
        "smoke": args.smoke,
        "latest_read": {
            "rps": round(oracle_rps, 1),
            "baseline": "raw ASGI app, same in-process transport and concurrency, interleaved",
            "baseline_rps": round(raw_rps, 1),
            "ratio": round(oracle_rps / raw_rps, 3),
            "concurrency": args.concurrency,
            "duration_s": args.duration,
        },
        "round_latency": {
            "nodes": 4,
            "quorum": 3,
            "rounds": len(latencies),
            "p50_s": round(p50, 4),
            "p95_s": round(p95, 4),
            "baseline": "bare concurrent fetch of the same 4 sources",
            "baseline_p50_s": round(fetch50, 4),
            "ratio": round(p50 / fetch50, 1),
        },
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(parse_args()))))
