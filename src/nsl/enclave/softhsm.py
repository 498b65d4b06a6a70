"""Create a SoftHSM2 token for the pkcs11 enclave (tests, development, first set-up).

The PINs pass on ``softhsm2-util``'s command line: initialise production tokens interactively.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from nsl.core.enclave import EnclaveError
from nsl.enclave.pkcs11_thread import call_blocking
from nsl.enclave.pkcs11_token import reload_module

DEFAULT_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")


def softhsm_available(module: Path = DEFAULT_MODULE) -> bool:
    return module.exists() and shutil.which("softhsm2-util") is not None


def init_softhsm_token(
    directory: Path,
    label: str,
    pin: str,
    so_pin: str,
    *,
    module: Path = DEFAULT_MODULE,
    options: Mapping[str, str] | None = None,
) -> Path:
    """Initialise token ``label`` in ``directory``; returns the ``softhsm2.conf`` path.

    ``options`` are further ``softhsm2.conf`` lines (e.g. ``slots.mechanisms``). Sessions this
    process already has on ``module`` end (the module re-reads its configuration), so call it
    before starting an enclave on the token.
    """
    tool = shutil.which("softhsm2-util")
    if tool is None:
        raise EnclaveError(
            "softhsm2-util is not installed (Debian/Ubuntu: apt-get install softhsm2)",
            code="enclave.softhsm_missing",
        )
    directory = Path(directory).resolve()
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True, mode=0o700)
    config = directory / "softhsm2.conf"
    lines = {
        "directories.tokendir": str(tokens),
        "objectstore.backend": "file",
        "log.level": "ERROR",
        **(options or {}),
    }
    config.write_text("".join(f"{k} = {v}\n" for k, v in lines.items()), encoding="utf-8")
    config.chmod(0o600)
    os.environ["SOFTHSM2_CONF"] = str(config)
    command = [tool, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", so_pin]
    result = subprocess.run(  # noqa: S603 - fixed tool, arguments as a list
        command, capture_output=True, text=True, env=os.environ.copy(), check=False
    )
    if result.returncode != 0:
        # the command line holds the PINs: report only the tool's own words
        raise EnclaveError(
            f"softhsm2-util --init-token failed: {result.stderr.strip() or result.stdout.strip()}",
            code="enclave.softhsm_init_failed",
        )
    call_blocking(reload_module, module)
    return config
