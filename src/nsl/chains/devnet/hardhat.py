"""An embedded Neo X (EVM) dev node: Hardhat 2 from ``tools/hardhat`` on loopback, funded by a
throw-away key of our own. Hardhat keeps its chain in memory: a restart begins at block 0.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp
import coincurve

from nsl.chains.devnet.process import DevProcess, free_port, probe_rpc
from nsl.chains.neo_x.accounts import evm_address, to_checksum

START_TIMEOUT_S = 60.0
FUND_TIMEOUT_S = 30.0
RECEIPT_POLL_S = 0.02
KEY_FILE = "dev-key.hex"
HARDHAT_DIR = Path(__file__).resolve().parents[4] / "tools" / "hardhat"


def ensure_dev_key(workdir: Path) -> bytes:
    """The dev chain's funded secp256k1 key (32 bytes), made on first use; file mode 0600.

    A throw-away key for a local chain only: it funds test accounts and never leaves loopback.
    """
    workdir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = workdir / KEY_FILE
    if path.exists():
        secret = bytes.fromhex(path.read_text().strip())
        if len(secret) != 32:
            raise RuntimeError(f"{path}: not a 32-byte hex key")
        return secret
    secret = coincurve.PrivateKey().secret
    path.touch(mode=0o600, exist_ok=False)
    path.write_text(secret.hex())
    return secret


class HardhatNode:
    """``start()`` returns once ``eth_chainId`` answers with ``chain_id``; ``stop()`` sends SIGTERM.

    The chain lives in Hardhat's memory: balances, contracts and blocks vanish when the node
    stops. Only the funded key in ``workdir`` persists, so the funded address stays the same.
    """

    def __init__(
        self,
        workdir: Path,
        chain_id: int,
        port: int | None = None,
        *,
        hardhat_dir: Path | None = None,
    ) -> None:
        self.workdir = Path(workdir)
        self.chain_id = chain_id
        self.port = port or free_port()
        self.hardhat_dir = Path(hardhat_dir) if hardhat_dir else HARDHAT_DIR
        self._process: DevProcess | None = None

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.running

    @property
    def funded_address(self) -> str:
        """The EIP-55 address holding the dev chain's funds."""
        secret = ensure_dev_key(self.workdir)
        return evm_address(coincurve.PrivateKey(secret).public_key.format())

    def start(self) -> None:
        if self.running:
            return
        binary = self.hardhat_dir / "node_modules" / ".bin" / "hardhat"
        if not binary.exists():
            raise RuntimeError(f"{binary} is missing: run `make hardhat` (npm ci in tools/hardhat)")
        secret = ensure_dev_key(self.workdir)
        self._process = DevProcess(
            "hardhat",
            [str(binary), "node", "--hostname", "127.0.0.1", "--port", str(self.port)],
            cwd=self.hardhat_dir,
            log_path=self.workdir / "hardhat.log",
            env={
                "DEVCHAIN_CHAIN_ID": str(self.chain_id),
                "DEVCHAIN_KEY": "0x" + secret.hex(),
                "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true",
            },
        )
        self._process.start()
        try:
            self._process.wait_until(
                lambda: probe_rpc(self.rpc_url, "eth_chainId") == hex(self.chain_id),
                START_TIMEOUT_S,
                f"eth_chainId {self.chain_id}",
            )
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None

    async def fund(self, address: str, amount_wei: int) -> str:
        """Send ``amount_wei`` from the funded key to ``address``; the transaction hash."""
        return await fund(self.rpc_url, self.chain_id, address, amount_wei)


async def fund(rpc_url: str, chain_id: int, address: str, amount_wei: int) -> str:
    """Transfer ``amount_wei`` from the dev chain's funded account and wait for its receipt.

    Hardhat holds that account (it is the one key of ``hardhat.config.js``), so the node signs
    the transfer itself (``eth_sendTransaction``): this is the dev chain's faucet only.
    """
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:

        async def rpc(method: str, *params: Any) -> Any:
            body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
            async with session.post(rpc_url, json=body) as response:
                answer = await response.json(content_type=None)
            if "error" in answer:
                raise RuntimeError(f"hardhat {method}: {answer['error'].get('message')}")
            return answer["result"]

        if int(await rpc("eth_chainId"), 16) != chain_id:
            raise RuntimeError(f"{rpc_url} is not the dev chain {chain_id}")
        sender = (await rpc("eth_accounts"))[0]
        to = to_checksum(address)
        tx_hash: str = await rpc(
            "eth_sendTransaction", {"from": sender, "to": to, "value": hex(amount_wei)}
        )
        deadline = time.monotonic() + FUND_TIMEOUT_S
        while (receipt := await rpc("eth_getTransactionReceipt", tx_hash)) is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"funding {to}: no receipt after {FUND_TIMEOUT_S:g} s")
            await asyncio.sleep(RECEIPT_POLL_S)
        if receipt["status"] != "0x1":
            raise RuntimeError(f"funding {to} failed on chain (transaction {tx_hash})")
        return tx_hash
