"""Notifications benchmark: signed webhook deliveries/s from the service's sender (claim with a
lease, sign, POST through SafeHttp, record the attempt) to a local HTTP sink, against a baseline
of raw httpx POSTs of the same bodies to the same sink (the best of 1, 8 and 32 concurrent), in
the same run. The sink runs in its own process. Prints one JSON object on stdout; progress
goes to stderr."""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nsl.core.security import Principal
from nsl.core.settings import Settings
from nsl.runtime import Runtime
from nsl.services.notifications.schemas import CreateChannel
from nsl.services.notifications.service import NotificationsService

ADMIN_KEY = "nsl_bench_admin_" + "n" * 40
BODY = b'{"type":"notification","subject":"bench","body":"' + b"x" * 200 + b'"}'


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5000, help="notifications delivered")
    parser.add_argument("--batch", type=int, default=200, help="rows claimed per sender round")
    parser.add_argument("--database-url", help="e.g. postgresql+asyncpg://... (default: SQLite)")
    parser.add_argument("--smoke", action="store_true", help="a few hundred only (CI)")
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)  # internal: run the sink
    args = parser.parse_args(argv)
    if args.smoke:
        args.count = 300
    return args


def run_sink(port: int) -> None:
    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/{tail:.*}", ok)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def start_sink() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, __file__, "--sink", str(port)])
    url = f"http://127.0.0.1:{port}/hook"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.post(url, content=b"{}", timeout=1.0)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the sink did not start")


async def baseline(url: str, count: int, concurrency: int) -> float:
    """Raw httpx POSTs of a webhook-sized body, ``concurrency`` at a time: requests/s."""
    async with httpx.AsyncClient() as http:
        queue = iter(range(count))

        async def worker() -> None:
            for _ in queue:
                answer = await http.post(url, content=BODY, headers={"X-NSL-Signature": "v1=0"})
                answer.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return count / (time.perf_counter() - started)


async def service_rate(args: argparse.Namespace, url: str, data_dir: Path) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if args.database_url:
        overrides["database"] = {"url": args.database_url}
    settings = Settings(
        env="test",
        data_dir=data_dir,
        bootstrap_admin_key=ADMIN_KEY,
        notifications={
            "allow_loopback": True,
            "delivery_interval_s": 3600.0,
            "delivery_batch": args.batch,
            "recipient_limit": 10 * args.count,
        },
        **overrides,
    )
    runtime = Runtime(settings, only=["notifications"])
    await runtime.start()
    try:
        service: NotificationsService = runtime.services["notifications"]
        owner = Principal(id="bench-owner", name="bench", kind="user", roles=frozenset())
        channel = await service.create_channel(
            CreateChannel(name="sink", type="webhook", url=url), principal=owner
        )
        for i in range(args.count):
            await service.send_as(
                owner, channel["id"], "bench", "x" * 200, topic=None, idempotency_key=f"k{i}"
            )
        print(f"notifications: {args.count} queued; delivering", file=sys.stderr)
        delivered, rounds = 0, 0
        started = time.perf_counter()
        while delivered < args.count:
            sent = await service.deliver_due()
            rounds += 1
            delivered += sent
            if sent == 0 and rounds > args.count:
                raise RuntimeError(f"stalled at {delivered} of {args.count}")
        elapsed = time.perf_counter() - started
        kind = "postgresql" if args.database_url else "sqlite"
        return {"rate": args.count / elapsed, "rounds": rounds, "database": kind}
    finally:
        await runtime.stop()


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    process, url = start_sink()
    try:
        with tempfile.TemporaryDirectory(prefix="nsl-bench-notify-") as tmp:
            measured = await service_rate(args, url, Path(tmp))
        raws = {c: await baseline(url, args.count, c) for c in (1, 8, 32)}
        raw = max(raws.values())
    finally:
        process.terminate()
        process.wait(timeout=10)
    return {
        "bench": "notifications.webhook_deliveries",
        "count": args.count,
        "batch": args.batch,
        "database": measured["database"],
        "deliveries_per_s": round(measured["rate"], 1),
        "sender_rounds": measured["rounds"],
        "baseline_raw_httpx_posts_per_s": round(raw, 1),  # best of concurrency 1, 8, 32
        "baseline_by_concurrency": {str(c): round(r, 1) for c, r in raws.items()},
        "ratio_to_baseline": round(measured["rate"] / raw, 3),
        "smoke": args.smoke,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.sink is not None:
        run_sink(args.sink)
        return 0
    print(json.dumps(asyncio.run(bench(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
