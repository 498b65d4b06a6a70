"""Master-key rotation of the software enclave, without downtime.

File keyring: a new key is put first in the file, every sealed item is re-sealed under it while
processes keep serving (each holds or re-reads every key in the file), and the old key is
dropped from the file only when no item is sealed under it (``retire_previous``). Keys from
settings: the operator sets the new key as ``NSL_ENCLAVE__MASTER_KEY`` and the old one in
``NSL_ENCLAVE__PREVIOUS_MASTER_KEYS`` on every process, runs the rewrap, then removes the old.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from nsl.core.errors import Conflict
from nsl.core.masterkey import KEY_BYTES
from nsl.enclave.keyring import read_keyring_file, write_keyring_file
from nsl.enclave.software import SoftwareEnclave


@dataclass(frozen=True)
class RotationReport:
    rewrapped: int
    current_master_id: str
    remaining_under_previous: int
    retired: int

    def as_dict(self) -> dict[str, object]:
        return self.__dict__.copy()


async def rotate_keyring_file(
    enclave: SoftwareEnclave, path: Path, *, new_key: bool = True, retire_previous: bool = False
) -> RotationReport:
    keyring = read_keyring_file(path)
    if new_key:
        write_keyring_file(path, (os.urandom(KEY_BYTES), *keyring.keys))
        keyring = read_keyring_file(path)
    enclave.use_keyring(keyring)
    report = await enclave.rewrap_items()
    retired = 0
    if retire_previous and len(keyring.keys) > 1:
        if report.remaining_under_previous:
            raise Conflict(
                f"{report.remaining_under_previous} items are still sealed under a previous "
                "master key; run the rotation again before retiring it",
                code="enclave.rotation_incomplete",
            )
        write_keyring_file(path, (keyring.current,))
        enclave.use_keyring(read_keyring_file(path))
        retired = len(keyring.keys) - 1
    return RotationReport(
        report.rewrapped, report.current_master_id, report.remaining_under_previous, retired
    )
