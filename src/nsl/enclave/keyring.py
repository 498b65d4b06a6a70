"""The enclave master keyring: the current key seals, previous keys still open (rotation).

From settings (``NSL_ENCLAVE__MASTER_KEY`` plus ``NSL_ENCLAVE__PREVIOUS_MASTER_KEYS``) or from
``<data_dir>/enclave/master.keys``: one key per line (base64 or hex), newest first, mode 0600,
created on first use outside production. Each key is known by a short id, an HMAC of a fixed
label under the key, which is stored beside every sealed item.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from nsl.core.masterkey import KEY_BYTES, MasterKeyInvalid, decode_key
from nsl.core.settings import Settings

KEYRING_FILE = Path("enclave") / "master.keys"


def master_id(key: bytes) -> str:
    return hmac.new(key, b"nsl/enclave/master-id", hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    keys: tuple[bytes, ...]  # newest first
    path: Path | None = None  # the file it came from, if any

    def __repr__(self) -> str:
        return f"Keyring({len(self.keys)} keys, current={self.current_id})"

    @property
    def current(self) -> bytes:
        return self.keys[0]

    @property
    def current_id(self) -> str:
        return master_id(self.keys[0])

    @property
    def previous_ids(self) -> list[str]:
        return [master_id(k) for k in self.keys[1:]]

    def key_for(self, key_id: str) -> bytes | None:
        return next((k for k in self.keys if master_id(k) == key_id), None)


def load_keyring(settings: Settings) -> Keyring:
    enclave = settings.enclave
    if enclave.master_key is not None:
        current = decode_key(enclave.master_key.get_secret_value(), "NSL_ENCLAVE__MASTER_KEY")
        previous = [
            decode_key(k.get_secret_value(), "NSL_ENCLAVE__PREVIOUS_MASTER_KEYS")
            for k in enclave.previous_master_keys
        ]
        return Keyring((current, *previous))
    path = Path(settings.data_dir) / KEYRING_FILE
    if not path.exists():
        if settings.env == "production":
            raise MasterKeyInvalid(
                "production needs an enclave master key: set NSL_ENCLAVE__MASTER_KEY or provide "
                f"{path} (mode 0600); none is generated"
            )
        write_keyring_file(path, (os.urandom(KEY_BYTES),), exclusive=True)
    return read_keyring_file(path)


def read_keyring_file(path: Path) -> Keyring:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise MasterKeyInvalid(
            f"{path} has mode {mode:04o}; the enclave master keyring must not be readable by "
            f"group or others: run 'chmod 600 {path}'"
        )
    lines = [line.strip() for line in path.read_text("ascii", errors="replace").splitlines()]
    keys = tuple(decode_key(line, str(path)) for line in lines if line)
    if not keys:
        raise MasterKeyInvalid(f"{path} holds no key")
    return Keyring(keys, path)


def write_keyring_file(path: Path, keys: tuple[bytes, ...], *, exclusive: bool = False) -> None:
    """Write a private file then move it into place (``exclusive``: only if none exists)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.writelines(base64.b64encode(k).decode("ascii") + "\n" for k in keys)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            # another process may have created it first: its key is the one
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        else:
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
