"""What this host offers for hardware enclaves (the seed's SGX capability check), read-only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SGX_DEVICES = ("/dev/sgx_enclave", "/dev/sgx/enclave", "/dev/isgx", "/dev/sgx_provision")


def host_capability(cpuinfo: Path = Path("/proc/cpuinfo")) -> dict[str, Any]:
    flags: set[str] = set()
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("flags"):
                flags.update(line.split(":", 1)[1].split())
                break
    devices = [d for d in SGX_DEVICES if Path(d).exists()]
    return {
        "sgx_cpu_flag": "sgx" in flags,
        "sgx_launch_control": "sgx_lc" in flags,
        "sgx_devices": devices,
        "sgx_usable": "sgx" in flags and bool(devices),
    }
