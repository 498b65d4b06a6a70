"""Backup targets: local directories holding ``objects/<id>.nslbak`` and ``manifests/<id>.json``.

Writes go to a temporary file, are fsynced and renamed into place, so a crash leaves either
the whole object or nothing (temporaries are swept by ``prune``).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from nsl.core.settings import Settings
from nsl.core.settings_backup import BackupTarget
from nsl.services.backup.manifest import Manifest

TEMP_PREFIX = ".tmp-"
ABANDONED_TEMPORARY_S = 24 * 3600.0


def resolve_targets(settings: Settings) -> list[BackupTarget]:
    """The configured targets, or one ``local`` target beside (never inside) the data dir."""
    if settings.backup.targets:
        return list(settings.backup.targets)
    data_dir = Path(settings.data_dir).resolve()
    return [BackupTarget(name="local", path=data_dir.parent / f"{data_dir.name}-backups")]


class ObjectWriter:
    """One object being written to one target; ``commit`` makes it visible."""

    def __init__(self, final: Path) -> None:
        self._final = final
        final.parent.mkdir(parents=True, exist_ok=True)
        self._temporary = final.with_name(f"{TEMP_PREFIX}{final.name}.{os.urandom(4).hex()}")
        self._handle: BinaryIO | None = open(self._temporary, "xb")  # noqa: SIM115

    def write(self, data: bytes) -> None:
        if self._handle is None:
            raise OSError("writer is closed")
        self._handle.write(data)

    def commit(self) -> None:
        if self._handle is None:
            raise OSError("writer is closed")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        self._handle = None
        os.replace(self._temporary, self._final)

    def abort(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None
        self._temporary.unlink(missing_ok=True)


class _FailedWriter(ObjectWriter):
    """A target that could not even be opened: the first write reports its error."""

    def __init__(self, error: OSError) -> None:
        self._error = error

    def write(self, data: bytes) -> None:
        raise self._error

    def commit(self) -> None:
        raise self._error

    def abort(self) -> None:
        return None


class TargetDir:
    def __init__(self, target: BackupTarget) -> None:
        self.name = target.name
        self.root = Path(target.path)

    def object_path(self, backup_id: str) -> Path:
        return self.root / "objects" / f"{backup_id}.nslbak"

    def manifest_path(self, backup_id: str) -> Path:
        return self.root / "manifests" / f"{backup_id}.json"

    def begin(self, backup_id: str) -> ObjectWriter:
        try:
            return ObjectWriter(self.object_path(backup_id))
        except OSError as exc:
            return _FailedWriter(exc)

    def put_manifest(self, manifest: Manifest) -> None:
        path = self.manifest_path(manifest.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{TEMP_PREFIX}{path.name}.{os.urandom(4).hex()}")
        with open(temporary, "x", encoding="utf-8") as handle:
            handle.write(manifest.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    def manifests(self) -> Iterator[Manifest]:
        directory = self.root / "manifests"
        if not directory.is_dir():
            return
        for path in sorted(directory.glob("*.json")):
            try:
                yield Manifest.from_json(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, TypeError):
                continue  # unreadable or foreign file: not part of the catalogue

    def manifest(self, backup_id: str) -> Manifest | None:
        if "/" in backup_id or backup_id.startswith("."):
            return None
        try:
            return Manifest.from_json(self.manifest_path(backup_id).read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError):
            return None

    def has_object(self, backup_id: str) -> bool:
        return self.object_path(backup_id).is_file()

    def read_object(self, backup_id: str, block: int) -> Iterator[bytes]:
        with open(self.object_path(backup_id), "rb") as handle:
            while piece := handle.read(block):
                yield piece

    def delete(self, backup_id: str) -> None:
        self.object_path(backup_id).unlink(missing_ok=True)
        self.manifest_path(backup_id).unlink(missing_ok=True)

    def sweep_temporary(self) -> None:
        """Remove what crashed writers left; a file still being written (by this or another
        process) was modified recently and is kept (file times are wall-clock times)."""
        now = time.time()
        for sub in ("objects", "manifests"):
            directory = self.root / sub
            if directory.is_dir():
                for path in directory.glob(f"{TEMP_PREFIX}*"):
                    with contextlib.suppress(FileNotFoundError):
                        if now - path.stat().st_mtime > ABANDONED_TEMPORARY_S:
                            path.unlink(missing_ok=True)
