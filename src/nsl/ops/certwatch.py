"""Reload the gateway's TLS certificate without a restart: a thread in the ``nsl up`` process
watches the certificate and key files (mtime, then content hash) and, once the new pair is
valid (key matches, PKCS#8, not expired), sends SIGHUP to this process: granian's main process
answers it by respawning its workers one at a time, and each new worker loads the files again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from nsl.ops.certinfo import CertError, validate_pair

log = logging.getLogger(__name__)
INTERVAL_S = 1.0


def _sighup_self() -> bool:
    """Ask granian to respawn its workers; False while no SIGHUP handler is installed yet
    (the default action would terminate the process)."""
    if signal.getsignal(signal.SIGHUP) in (signal.SIG_DFL, signal.SIG_IGN, None):
        return False
    os.kill(os.getpid(), signal.SIGHUP)
    return True


class CertWatcher:
    """Polls a certificate/key pair; calls ``reload`` once per new valid content."""

    def __init__(
        self,
        cert: Path,
        key: Path,
        reload: Callable[[], bool] = _sighup_self,
        interval_s: float = INTERVAL_S,
    ) -> None:
        self.cert, self.key = cert, key
        self.reload = reload
        self.interval_s = interval_s
        self._stat = self._stat_now()
        self._served = self._digest()
        self._rejected: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nsl-certwatch", daemon=True)

    def start(self) -> CertWatcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _stat_now(self) -> tuple[tuple[int, int, int], ...]:
        out = []
        for path in (self.cert, self.key):
            try:
                st = path.stat()
                out.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                out.append((0, 0, 0))
        return tuple(out)

    def _digest(self) -> str:
        h = hashlib.sha256()
        for path in (self.cert, self.key):
            try:
                h.update(path.read_bytes())
            except OSError:
                h.update(b"<missing>")
            h.update(b"\0")
        return h.hexdigest()

    def check_once(self) -> bool:
        """One poll; True when a reload was triggered."""
        stat = self._stat_now()
        if stat == self._stat:
            return False
        digest = self._digest()
        if digest == self._served:
            self._stat = stat  # touched, same content
            return False
        try:
            info = validate_pair(self.cert, self.key)
        except CertError as exc:
            if self._rejected != digest:
                self._rejected = digest
                log.warning("TLS certificate changed but is not usable, not reloading: %s", exc)
            return False  # keep the old stat: looked at again on every poll until it is fixed
        if not self.reload():
            return False
        self._stat, self._served, self._rejected = stat, digest, None
        log.info(
            "TLS certificate changed (serial %x, expires %s): respawning workers",
            info.serial,
            info.not_after.isoformat(),
        )
        return True

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.check_once()
            except Exception:  # a watcher bug must not take the server down
                log.exception("TLS certificate watcher failed; still watching")
