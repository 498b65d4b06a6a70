"""The platform master key: from settings, else a 0600 file made once in the data dir.

Services never use it directly: each derives its own key with
``nsl.core.sealing.derive_key(master, purpose)``. ``master_key`` (``NSL_MASTER_KEY``) is 32
bytes written as 64 hex digits or base64 (standard or URL-safe alphabet). Without it,
``<data_dir>/master.key`` holds a generated key (base64; never generated in production, where
every process must share one key); a file readable or writable by group or others is refused.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import stat
from pathlib import Path

from nsl.core.errors import SettingsError
from nsl.core.settings import Settings

KEY_BYTES = 32
KEY_FILE = "master.key"


class MasterKeyInvalid(SettingsError):
    """The master key is missing (production), malformed, or its file is not private."""

    code = "settings.master_key_invalid"


def resolve_master_key(settings: Settings) -> bytes:
    """The 32-byte platform master key (may create the key file outside production)."""
    configured = settings.master_key
    if configured is not None:
        return decode_key(configured.get_secret_value(), "NSL_MASTER_KEY")
    path = Path(settings.data_dir) / KEY_FILE
    if settings.env == "production" and not path.exists():
        raise MasterKeyInvalid(
            "production needs a master key shared by every process: set "
            f"NSL_MASTER_KEY or provide {path} (mode 0600); none is generated"
        )
    return _file_key(path)


def decode_key(text: str, source: str) -> bytes:
    """Decode 32 bytes given as hex or base64; the error names the source, never the value."""
    text = text.strip()
    if len(text) == 2 * KEY_BYTES and all(c in "0123456789abcdefABCDEF" for c in text):
        return bytes.fromhex(text)
    for alphabet in (b"+/", b"-_"):
        try:
            raw = base64.b64decode(text.encode("ascii"), altchars=alphabet, validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            continue
        if len(raw) == KEY_BYTES:
            return raw
    raise MasterKeyInvalid(
        f"{source} must be {KEY_BYTES} bytes written as 64 hex digits or base64 "
        "(generate one with: python -c 'import secrets; print(secrets.token_hex(32))')"
    )


def _file_key(path: Path) -> bytes:
    if not path.exists():
        _create_key_file(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise MasterKeyInvalid(
            f"{path} has mode {mode:04o}; the master key file must not be readable by group or "
            f"others: run 'chmod 600 {path}'"
        )
    return decode_key(path.read_bytes().decode("ascii", errors="replace"), str(path))


def _create_key_file(path: Path) -> None:
    """Write a new key to a private temporary file and link it into place (first writer wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii") + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: its key is the one
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
