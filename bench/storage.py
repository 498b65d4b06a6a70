"""Storage benchmark: upload and download MB/s of one large object through the whole in-process
gateway app (auth, edge, router, service; encryption on; SQLite or PostgreSQL; database or
directory chunk store), driven as raw ASGI so no client buffers the body, against raw AES-256-GCM
(``cryptography``'s AESGCM) over the same 1 MiB chunks in the same run. Prints one JSON object."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.types import ASGIApp, Message

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nsl.core.settings import Settings
from nsl.gateway.app import create_app
from nsl.runtime import Runtime

ADMIN_KEY = "nsl_bench_admin_" + "s" * 40
MIB = 1024 * 1024
PIECE = 64 * 1024  # what a server hands the app per receive()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=256, help="object size")
    parser.add_argument("--runs", type=int, default=3, help="best of N")
    parser.add_argument("--store", choices=["database", "filesystem"], default="database")
    parser.add_argument("--compress", action="store_true", help="zstd chunks")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (CI)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.size_mib, args.runs = 8, 1
    return args


def raw_aes_gcm(size: int, runs: int) -> tuple[float, float]:
    """MB/s of AES-256-GCM seal and open over ``size`` bytes in 1 MiB chunks (best of runs)."""
    aead = AESGCM(os.urandom(32))
    chunk = os.urandom(MIB)
    count = size // MIB
    best_seal = best_open = 0.0
    for _ in range(runs):
        began = time.perf_counter()
        sealed: list[tuple[bytes, bytes]] = [(b"", b"")] * min(count, 4)  # bounded memory
        for i in range(count):
            nonce, aad = os.urandom(12), b"aad%d" % i
            sealed[i % len(sealed)] = (nonce + aead.encrypt(nonce, chunk, aad), aad)
        best_seal = max(best_seal, size / MIB / (time.perf_counter() - began))
        began = time.perf_counter()
        for i in range(count):
            blob, aad = sealed[i % len(sealed)]
            aead.decrypt(blob[:12], blob[12:], aad)
        best_open = max(best_open, size / MIB / (time.perf_counter() - began))
    return best_seal, best_open


async def exchange(
    app: ASGIApp, method: str, path: str, body: AsyncIterator[bytes] | None, length: int
) -> tuple[int, int]:
    """One request on the ASGI app; (status, body bytes received). The driver only counts the
    bytes (the tests check content), so the figures are the service's work, not a client's."""
    status, received = 0, 0
    finished = asyncio.Event()
    sent_empty = False

    async def receive() -> Message:
        nonlocal sent_empty
        if body is not None:
            try:
                return {"type": "http.request", "body": await body.__anext__(), "more_body": True}
            except StopAsyncIteration:
                pass
        if not sent_empty:
            sent_empty = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status, received
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            piece = message.get("body", b"")
            received += len(piece)
            if not message.get("more_body", False):
                finished.set()

    headers = [(b"x-api-key", ADMIN_KEY.encode()), (b"host", b"bench")]
    if body is not None:
        headers.append((b"content-length", str(length).encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path.split("?")[0],
        "raw_path": path.split("?")[0].encode(),
        "query_string": path.partition("?")[2].encode(),
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    try:
        await app(scope, receive, send)
    finally:
        finished.set()
    return status, received


async def pieces(size: int) -> AsyncIterator[bytes]:
    block = os.urandom(PIECE)
    left = size
    while left > 0:
        piece = block[: min(left, PIECE)]
        left -= len(piece)
        yield piece


async def through_service(args: argparse.Namespace, data_dir: Path) -> tuple[float, float]:
    storage = {"chunk_store": args.store, "default_quota_bytes": 1 << 40}
    overrides: dict[str, Any] = {
        "env": "test",
        "data_dir": data_dir,
        "bootstrap_admin_key": ADMIN_KEY,
        "only_services": ["storage"],
        "storage": storage,
        "rate_limit": {"enabled": False},
        "log_level": "WARNING",
    }
    if args.database_url:
        overrides["database"] = {"url": args.database_url}
    settings = Settings(**overrides)
    runtime = Runtime(settings)
    app = create_app(settings, runtime=runtime)
    size = args.size_mib * MIB
    query = "?compress=true" if args.compress else ""
    best_up = best_down = 0.0
    await runtime.start()
    try:
        for run in range(args.runs):
            path = f"/api/v1/storage/objects/bench/{run}"
            began = time.perf_counter()
            status, _ = await exchange(app, "PUT", path + query, pieces(size), size)
            up = time.perf_counter() - began
            if status != 201:
                raise RuntimeError(f"upload answered {status}")
            began = time.perf_counter()
            status, received = await exchange(app, "GET", path, None, 0)
            down = time.perf_counter() - began
            if status != 200 or received != size:
                raise RuntimeError(f"download answered {status} with {received} bytes")
            best_up = max(best_up, size / MIB / up)
            best_down = max(best_down, size / MIB / down)
            await exchange(app, "DELETE", path, None, 0)
    finally:
        await runtime.stop()
    return best_up, best_down


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="nsl-bench-storage-") as tmp:
        up, down = await through_service(args, Path(tmp))
    seal, open_ = raw_aes_gcm(args.size_mib * MIB, max(args.runs, 3))
    return {
        "benchmark": "storage",
        "transport": "in-process ASGI (whole gateway app, raw ASGI driver, no HTTP socket)",
        "database": "postgresql" if args.database_url else "sqlite",
        "chunk_store": args.store,
        "compression": "zstd" if args.compress else "none",
        "object_mib": args.size_mib,
        "upload_mb_s": round(up, 1),
        "download_mb_s": round(down, 1),
        "baseline_aes_gcm_seal_mb_s": round(seal, 1),
        "baseline_aes_gcm_open_mb_s": round(open_, 1),
        "upload_ratio": round(up / seal, 3),
        "download_ratio": round(down / open_, 3),
        "ratio": round(min(up / seal, down / open_), 3),
        "target_ratio": 0.5,
        "smoke": args.smoke,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(parse_args()))))
