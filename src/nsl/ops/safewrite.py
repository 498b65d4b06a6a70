"""Replacing an operator's file safely: the old one is first copied to a timestamped backup
(mode 0600, never overwriting another), the new one is written to a private temporary file,
synced and renamed into place, so a reader sees either the old or the new content."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

BACKUP_MODE = 0o600


def backup(path: Path, now: datetime) -> Path:
    """Copy ``path`` to ``<name>.bak-<UTC time>`` (mode 0600, never overwriting one)."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.bak-{stamp}")
    suffix = 0
    while True:
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, BACKUP_MODE)
            break
        except FileExistsError:
            suffix += 1
            target = path.with_name(f"{path.name}.bak-{stamp}-{suffix}")
    with os.fdopen(fd, "wb") as handle:
        handle.write(path.read_bytes())
        handle.flush()
        os.fsync(handle.fileno())
    return target


def replace_file(path: Path, data: bytes, mode: int, now: datetime) -> Path | None:
    """Write ``data`` to ``path`` atomically with ``mode``; returns the backup made, if any."""
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = backup(path, now) if path.exists() else None
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)  # the umask may have narrowed os.open's mode
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return saved
