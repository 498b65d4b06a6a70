"""The certificate watcher reloads once per new valid pair, never for an unusable one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from nsl.ops import certs
from nsl.ops.certwatch import CertWatcher


def test_reloads_only_for_a_new_valid_pair(tmp_path: Path) -> None:
    live = certs.generate_self_signed("localhost", tmp_path / "live", 30)
    assert live.server_cert and live.server_key
    reloads: list[int] = []

    def reload() -> bool:
        reloads.append(1)
        return True

    watcher = CertWatcher(live.server_cert, live.server_key, reload=reload)
    assert not watcher.check_once()  # nothing changed

    os.utime(live.server_cert)  # touched, same content
    assert not watcher.check_once()

    other = certs.generate_self_signed("localhost", tmp_path / "next", 30)
    assert other.server_cert and other.server_key
    shutil.copyfile(other.server_cert, live.server_cert)  # new cert, old key: a half-done swap
    assert not watcher.check_once()
    assert reloads == []

    shutil.copyfile(other.server_key, live.server_key)  # now the pair matches
    assert watcher.check_once()
    assert not watcher.check_once()
    assert reloads == [1]


def test_a_refused_reload_is_tried_again(tmp_path: Path) -> None:
    live = certs.generate_self_signed("localhost", tmp_path / "live", 30)
    assert live.server_cert and live.server_key
    answers = [False, True]
    watcher = CertWatcher(live.server_cert, live.server_key, reload=lambda: answers.pop(0))
    certs.generate_self_signed("localhost", tmp_path / "live", 30)
    assert not watcher.check_once()  # e.g. the server's SIGHUP handler is not installed yet
    assert watcher.check_once()
    assert answers == []
