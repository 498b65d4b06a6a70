"""Pruning sweeps what crashed writers left, never a file another backup is still writing."""

from __future__ import annotations

import os
import time
from pathlib import Path

from nsl.core.settings_backup import BackupTarget
from nsl.services.backup.targets import ABANDONED_TEMPORARY_S, TargetDir


def test_sweep_keeps_an_object_being_written_and_removes_an_abandoned_one(tmp_path: Path) -> None:
    target = TargetDir(BackupTarget(name="local", path=tmp_path))
    writing = target.begin("b-writing")
    writing.write(b"part of an object")
    abandoned = target.begin("b-abandoned")
    abandoned.write(b"left by a crash")
    old = time.time() - ABANDONED_TEMPORARY_S - 60
    leftovers = sorted((tmp_path / "objects").glob(".tmp-b-abandoned*"))
    assert len(leftovers) == 1
    os.utime(leftovers[0], (old, old))

    target.sweep_temporary()

    assert not leftovers[0].exists()
    writing.write(b" and the rest")
    writing.commit()
    assert target.object_path("b-writing").read_bytes() == b"part of an object and the rest"
