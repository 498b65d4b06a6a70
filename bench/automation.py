"""Automation benchmark: N jobs due in the same second, claimed and run by 3 worker processes
(``Runtime(only=["automation"])``) on one fresh PostgreSQL database, each job's action a signed
webhook to a local sink process that counts idempotency keys. Reports the time to start all,
duplicates (must be 0) and p50/p99 lag (due time -> start), against a baseline measured in the
same run: a bare asyncio scheduler (no database) POSTing the same number of webhooks due at one
instant to the same sink. Prints one JSON object on stdout; progress goes to stderr."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nsl.core.settings import Settings
from nsl.db.migrate import upgrade
from nsl.runtime import Runtime

ADMIN_KEY = "nsl_bench_admin_" + "a" * 40
PG_ADMIN_URL = os.environ.get("NSL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
WORKERS = 3
SENDERS = 64  # webhook requests in flight in the baseline (the service's per-process cap)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=10_000, help="jobs due in the same second")
    parser.add_argument("--lead", type=float, default=2.0, help="seconds from seeding to due")
    parser.add_argument("--smoke", action="store_true", help="500 jobs only (CI)")
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)  # internal: run the sink
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: database URL
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke:
        args.jobs = 500
    return args


def settings(url: str, data_dir: str) -> Settings:
    return Settings(
        env="test",
        data_dir=Path(data_dir),
        bootstrap_admin_key=ADMIN_KEY,
        database={"url": url, "pool_min": 2, "pool_max": 20},
        automation={
            "tick_interval_s": 0.1,
            "claim_batch": 1000,
            "concurrency": 5000,
            "allow_private_webhooks": True,
            "max_jobs": 10**6,
        },
    )


# processes --------------------------------------------------------------------------------
def run_sink(port: int) -> None:
    keys: dict[str, int] = {}
    arrivals: list[float] = []  # wall-clock arrival of each first request per key

    async def hook(request: web.Request) -> web.Response:
        await request.read()
        key = request.headers.get("X-NSL-Idempotency-Key", "")
        if key not in keys:
            arrivals.append(time.time())
        keys[key] = keys.get(key, 0) + 1
        return web.Response(text="ok")

    async def stats(request: web.Request) -> web.Response:
        answer: dict[str, Any] = {"requests": sum(keys.values()), "distinct": len(keys)}
        if request.query.get("arrivals"):
            answer["arrivals"] = arrivals
        return web.json_response(answer)

    async def reset(request: web.Request) -> web.Response:
        keys.clear()
        arrivals.clear()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def run_worker(url: str, data_dir: str) -> None:
    async def serve() -> None:
        runtime = Runtime(settings(url, data_dir), only=["automation"])
        await runtime.start()
        print("ready", flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await runtime.stop()

    asyncio.run(serve())


def start_sink() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, __file__, "--sink", str(port)])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/stats", timeout=1.0)
            return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the sink did not start")


def start_workers(url: str, data_dir: str) -> list[subprocess.Popen[str]]:
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", url, "--data-dir", data_dir],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    for worker in workers:
        assert worker.stdout is not None
        if worker.stdout.readline().strip() != "ready":
            raise RuntimeError("a worker did not start")
    return workers


# measurements -----------------------------------------------------------------------------
def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def seed(
    url: str, data_dir: str, sink: str, count: int, lead: float
) -> tuple[datetime, list[subprocess.Popen[str]]]:
    """The workers (started once this process made the master key), ``count`` one-shot jobs,
    then all made due at one second ``lead`` s from now."""
    from sqlalchemy import text

    from nsl.core.security import Principal, Role
    from nsl.services.automation.schemas import CreateJob

    runtime = Runtime(settings(url, data_dir), only=["automation"])
    await runtime.start()
    try:
        service = runtime.services["automation"]
        service.paused = True  # this process only seeds
        workers = start_workers(url, data_dir)
        owner = Principal(id="bench-owner", name="bench", kind="user", roles=frozenset({Role.USER}))
        far = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        body = CreateJob(
            name="bench",
            trigger={"type": "once", "at": far},
            action={"type": "webhook", "url": f"{sink}/hook"},
        )
        for n in range(count):
            await service.create(body, principal=owner)
            if n % 2000 == 1999:
                print(f"automation: {n + 1} jobs seeded", file=sys.stderr)
        due = (datetime.now(UTC) + timedelta(seconds=lead)).replace(microsecond=0)
        async with runtime.adapters.database.session() as session:
            await session.execute(
                text("UPDATE automation_jobs SET next_run_at = :due"), {"due": due}
            )
        return due, workers
    finally:
        await runtime.stop()


async def collect(url: str, sink: str, count: int, due: datetime) -> dict[str, Any]:
    """Once every job's webhook arrived and its execution is recorded: duplicates, the lag
    from due time to the webhook's arrival at the sink (p50, p99, all) and the claim lag."""
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    finished = "SELECT count(*) FROM automation_executions WHERE status = 'succeeded'"
    deadline = time.monotonic() + 120 + count / 50
    try:
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                stats = (await http.get(f"{sink}/stats")).json()
                if stats["distinct"] >= count and await conn.fetchval(finished) >= count:
                    break
                await asyncio.sleep(0.2)
            stats = (await http.get(f"{sink}/stats", params={"arrivals": 1})).json()
        rows = await conn.fetch(
            "SELECT scheduled_for, started_at, status FROM automation_executions"
        )
        keys = await conn.fetchval(
            "SELECT count(DISTINCT (job_id, scheduled_for)) FROM automation_executions"
        )
    finally:
        await conn.close()
    lags = [t - due.timestamp() for t in stats["arrivals"]]
    claims = [(r["started_at"] - r["scheduled_for"]).total_seconds() for r in rows]
    return {
        "executions": len(rows),
        "succeeded": sum(1 for r in rows if r["status"] == "succeeded"),
        "duplicate_executions": len(rows) - int(keys),
        "webhooks_received": stats["requests"],
        "duplicate_webhooks": stats["requests"] - stats["distinct"],
        "time_to_start_all_s": round(max(lags), 3),
        "lag_p50_s": round(percentile(lags, 0.5), 3),
        "lag_p99_s": round(percentile(lags, 0.99), 3),
        "claim_lag_p99_s": round(percentile(claims, 0.99), 3),
    }


async def baseline(sink: str, count: int) -> dict[str, Any]:
    """A bare asyncio scheduler: ``count`` POSTs due at one instant, no database; the lag is
    measured the same way (due time to arrival at the sink)."""
    async with httpx.AsyncClient() as http:
        await http.post(f"{sink}/reset")
    loop = asyncio.get_running_loop()
    limits = httpx.Limits(max_connections=SENDERS)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        due_wall = time.time() + 1.0
        due = loop.time() + 1.0
        gate = asyncio.Semaphore(SENDERS)

        async def job(n: int) -> None:
            await asyncio.sleep(max(due - loop.time(), 0))
            async with gate:
                headers = {"X-NSL-Idempotency-Key": str(n)}
                await http.post(f"{sink}/hook", content=b"{}", headers=headers)

        await asyncio.gather(*(job(n) for n in range(count)))
        stats = (await http.get(f"{sink}/stats", params={"arrivals": 1})).json()
    lags = [t - due_wall for t in stats["arrivals"]]
    return {
        "time_to_start_all_s": round(max(lags), 3),
        "lag_p50_s": round(percentile(lags, 0.5), 3),
        "lag_p99_s": round(percentile(lags, 0.99), 3),
    }


async def fresh_database() -> tuple[str, str]:
    name = f"nsl_bench_automation_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return name, f"{base}/{name}"


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    name, url = await fresh_database()
    sink_process, sink = start_sink()
    workers: list[subprocess.Popen[str]] = []
    try:
        await upgrade(url)
        with tempfile.TemporaryDirectory(prefix="nsl-bench-automation-") as tmp:
            due, workers = await seed(url, tmp, sink, args.jobs, args.lead)
            print(f"automation: {args.jobs} jobs due at {due.isoformat()}", file=sys.stderr)
            measured = await collect(url, sink, args.jobs, due)
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(timeout=30)
            workers = []
        raw = await baseline(sink, args.jobs)
    finally:
        for worker in workers:
            worker.kill()
        sink_process.terminate()
        sink_process.wait(timeout=10)
        await drop_database(name)
    return {
        "bench": "automation.due_same_second",
        "jobs": args.jobs,
        "processes": WORKERS,
        "database": "postgresql",
        **measured,
        "baseline_bare_asyncio": raw,
        "ratio_p99_lag_to_baseline": round(measured["lag_p99_s"] / max(raw["lag_p99_s"], 1e-3), 2),
        "smoke": args.smoke,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.sink is not None:
        run_sink(args.sink)
        return 0
    if args.worker is not None:
        run_worker(args.worker, args.data_dir)
        return 0
    print(json.dumps(asyncio.run(bench(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
