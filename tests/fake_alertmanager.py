"""A real HTTP server answering ``GET /api/v2/alerts`` with a fixed body, like Alertmanager."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ALERTS = [
    {
        "labels": {"alertname": "NslHighErrorRate", "severity": "critical", "service": "keys"},
        "annotations": {"summary": "5xx above 5% for 5 minutes"},
        "startsAt": "2026-11-27T10:00:00.000Z",
        "endsAt": "2026-11-27T11:00:00.000Z",
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
        "fingerprint": "a1b2c3",
        "receivers": [{"name": "ops"}],
        "updatedAt": "2026-11-27T10:00:30.000Z",
        "generatorURL": "http://prometheus:9090/graph",
    },
    {
        "labels": {"alertname": "NslSlowRequests", "severity": "warning"},
        "annotations": {"description": "p95 above 500 ms"},
        "startsAt": "2026-11-27T10:05:00.000Z",
        "status": {"state": "active"},
    },
    {"annotations": {"summary": "no labels: not an alert"}},
]


class FakeAlertmanager:
    """Serves ``body`` with ``status`` on a free loopback port; records the paths asked for."""

    def __init__(self, body: object, status: int = 200) -> None:
        self.paths: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.paths.append(self.path)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeAlertmanager:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
