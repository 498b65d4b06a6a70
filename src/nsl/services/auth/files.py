"""Private files in the data dir (mode 0600), created atomically so concurrent starts agree."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_private(path: Path, data: bytes, *, replace: bool = True) -> bytes:
    """Write ``data`` to ``path`` with mode 0600 and return what the file now holds.

    With ``replace=False`` an existing file wins (another process created it first) and its
    content is returned instead.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
            return data
        try:
            os.link(tmp, path)
        except FileExistsError:
            return path.read_bytes()
        return data
    finally:
        tmp.unlink(missing_ok=True)
