"""The acknowledged writer: writes records through the HTTP API and remembers each acknowledgement.

A record counts as written only when the API answered 201; its wall-clock acknowledgement time
is what the RPO is measured against. Records are notification templates named
``dr-<run>-<seq>`` (plain database rows, no enclave material), read back by listing them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import httpx

TEMPLATES = "/api/v1/notifications/templates"
PAGE = 100


@dataclass(frozen=True)
class Ack:
    seq: int
    name: str
    acked_at: float  # time.time() when the 201 arrived


@dataclass
class AcknowledgedWriter:
    url: str
    admin_key: str
    run_id: str
    interval_s: float = 0.02
    acks: list[Ack] = field(default_factory=list)
    errors: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="dr-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        seq = 0
        with httpx.Client(base_url=self.url, headers={"X-API-Key": self.admin_key}) as client:
            while not self._stop.is_set():
                seq += 1
                name = f"dr-{self.run_id}-{seq:07d}"
                try:
                    response = client.post(
                        TEMPLATES, json={"name": name, "body": f"write {seq}"}, timeout=5
                    )
                except httpx.HTTPError:
                    self.errors += 1
                else:
                    if response.status_code == 201:
                        self.acks.append(Ack(seq, name, time.time()))
                    else:
                        self.errors += 1
                self._stop.wait(self.interval_s)


def present_names(url: str, admin_key: str, prefix: str) -> set[str]:
    """Names of the writer's records the (recovered) service layer returns."""
    found: set[str] = set()
    page = 1
    with httpx.Client(base_url=url, headers={"X-API-Key": admin_key}, timeout=10) as client:
        while True:
            response = client.get(TEMPLATES, params={"page": page, "page_size": PAGE})
            response.raise_for_status()
            items = response.json()["items"]
            found.update(i["name"] for i in items if str(i["name"]).startswith(prefix))
            if len(items) < PAGE:
                return found
            page += 1
