"""Backups and restores as an operator runs them: ``nsl backup ...`` / ``nsl restore ...``.

Commands run as subprocesses with the region's environment; the catalogue is read from the
targets' manifest files (``<target>/manifests/<id>.json``), which survive any failure drilled.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nsl.ops.deploy.processes import default_executable
from nsl.ops.dr.region import Region

DATABASE_KINDS = ("database-full", "database-incremental", "database-base", "wal")


class CommandFailed(RuntimeError):
    """An ``nsl`` command exited non-zero; the message carries its stderr tail."""


@dataclass(frozen=True)
class BackupPoint:
    id: str
    kind: str
    created_at: float
    covers_until: float


def nsl(region: Region, *args: str, timeout_s: float = 600) -> dict[str, Any]:
    """Run ``nsl <args> --json`` for the region; its JSON object."""
    done = subprocess.run(  # noqa: S603  # argv is ours, no shell
        [default_executable(), *args, "--json"],
        capture_output=True,
        text=True,
        env=region.env(),
        timeout=timeout_s,
        cwd=region.operator.workdir,
        check=False,
    )
    if done.returncode != 0:
        tail = (done.stderr.strip() or done.stdout.strip())[-1500:]
        raise CommandFailed(f"nsl {' '.join(args)} exited {done.returncode}: {tail}")
    lines = [line for line in done.stdout.splitlines() if line.strip().startswith("{")]
    if not lines:
        raise CommandFailed(f"nsl {' '.join(args)} printed no JSON: {done.stdout[-500:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _epoch(text: str | None) -> float:
    return datetime.fromisoformat(text).timestamp() if text else 0.0


def catalogue(target_dir: Path, kinds: tuple[str, ...] | None = None) -> list[BackupPoint]:
    """Complete backups in one target directory, oldest first."""
    points = []
    for path in sorted((target_dir / "manifests").glob("*.json")):
        try:
            manifest = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # a manifest being written right now
        if manifest.get("status") != "complete":
            continue
        if kinds is not None and manifest.get("kind") not in kinds:
            continue
        points.append(
            BackupPoint(
                manifest["id"],
                manifest["kind"],
                _epoch(manifest.get("created_at")),
                _epoch(manifest.get("covers_until") or manifest.get("created_at")),
            )
        )
    return sorted(points, key=lambda p: p.created_at)


def newest_point(target_dir: Path, kinds: tuple[str, ...]) -> float:
    """The newest instant any complete backup of these kinds restores to (0: none)."""
    return max((p.covers_until for p in catalogue(target_dir, kinds)), default=0.0)
