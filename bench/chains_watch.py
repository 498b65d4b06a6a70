"""What the events scenario observes from outside the service: a webhook receiver on
127.0.0.1 that notes when each delivery arrived (and checks its HMAC signature), and a block
watcher that notes when each block height first appeared on the node."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from nsl.core.chain import NEO_N3

WATCH_POLL_S = 0.005


@dataclass(frozen=True)
class Arrival:
    at: float  # time.monotonic() once the whole body was read
    subscription_id: str
    kind: str
    tx_hash: str
    signed: bool  # X-NSL-Signature matches the subscription's secret


class Receiver:
    """A threaded HTTP server answering every POST with 200 at once."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.arrivals: list[Arrival] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def record(self, at: float, body: bytes, stamp: str, signature: str) -> None:
        try:
            message = json.loads(body)
            subscription = str(message["subscription_id"])
            kind, tx_hash = str(message["type"]), str(message["event"]["tx_hash"]).lower()
        except (ValueError, KeyError, TypeError):
            subscription, kind, tx_hash = "", "malformed", ""
        secret = self.secrets.get(subscription)
        signed = secret is not None and _valid(secret, stamp, body, signature)
        with self._lock:
            self.arrivals.append(Arrival(at, subscription, kind, tx_hash, signed))

    def snapshot(self) -> list[Arrival]:
        with self._lock:
            return list(self.arrivals)


def _valid(secret: str, stamp: str, body: bytes, given: str) -> bool:
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v1={mac}", given)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the service's client reuses connections
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            at = time.monotonic()
            stamp = self.headers.get("X-NSL-Timestamp") or ""
            receiver.record(at, body, stamp, self.headers.get("X-NSL-Signature") or "")
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return  # quiet: stderr carries the bench's progress

    return Handler


class BlockWatcher:
    """Polls the node's height every 5 ms in a thread; ``seen[n]`` is when block ``n`` was
    first seen (heights skipped between two polls get the later time)."""

    def __init__(self, url: str, chain: str) -> None:
        self.url = url
        self.chain = chain
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _height(self, client: httpx.Client) -> int:
        method = "getblockcount" if self.chain == NEO_N3 else "eth_blockNumber"
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": []}
        result = client.post(self.url, json=body).json()["result"]
        return int(result) - 1 if self.chain == NEO_N3 else int(result, 16)

    def _run(self) -> None:
        last: int | None = None
        with httpx.Client(timeout=2.0) as client:
            while not self._stop.wait(WATCH_POLL_S):
                try:
                    height = self._height(client)
                except (httpx.HTTPError, ValueError, KeyError):
                    continue
                now = time.monotonic()
                for number in range(height if last is None else last + 1, height + 1):
                    self.seen.setdefault(number, now)
                last = height if last is None else max(last, height)
