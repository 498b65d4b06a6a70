"""Neo N3 baseline: the same ``request(seed)`` call signed in this process (``cryptography``
P-256) and sent straight to neo-go with our ``nsl.chains.neo_n3`` modules; each transaction
is awaited to its application log (polled every 20 ms, as the adapter polls at 100 ms blocks).
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from bench.chains_loop import Operation
from bench.servers import BenchError
from nsl.chains.neo_n3 import accounts, params
from nsl.chains.neo_n3.receipts import application_log, send, wait_for
from nsl.chains.neo_n3.rpc import NeoRpc, as_int
from nsl.chains.neo_n3.transaction import parse_unsigned_transaction
from nsl.chains.neo_n3.txbuild import Draft, dry_run, network_fee, sign

POLL_S = 0.02
RECEIPT_TIMEOUT_S = 30.0
FEE_MARGIN = 1.1  # the counter and request keys grow a byte now and then: a little more storage
#: a test run overlapping a block's persistence was seen pricing a new storage entry as an
#: update (52 bytes too cheap, 5.2M datoshi): the pool's fee must not depend on one test run
FEE_EXTRA = 10_000_000
PRICE_RUNS = 3
VALID_FOR_BLOCKS = 10_000
SEED_BYTES = 32


def seed_arg(seed: bytes) -> dict[str, str]:
    return {"type": "ByteArray", "value": seed.hex()}


@dataclass(repr=False)
class Sender:
    """A throw-away in-process key and its standard account."""

    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    @property
    def public_key(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )

    @property
    def verification(self) -> bytes:
        return accounts.verification_script(self.public_key)

    @property
    def address(self) -> str:
        return accounts.address(self.public_key)

    async def sign(self, message: bytes) -> bytes:
        r, s = decode_dss_signature(self.key.sign(message, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


class NeoN3Direct:
    label = (
        "same call pre-signed in-process (cryptography P-256), sendrawtransaction straight to"
        " neo-go, each awaited to its application log"
    )

    def __init__(self, rpc: NeoRpc, contract: str, magic: int, ms_per_block: int) -> None:
        self.rpc = rpc
        self.contract = params.hash160(contract, "contract")
        self.magic = magic
        self.block_ms: int | None = ms_per_block
        self.fees: tuple[int, int] | None = None

    def new_sender(self) -> Sender:
        return Sender()

    def per_worker_bound(self) -> float | None:
        """Transactions/s one worker can land at most: one per block, as it waits for each."""
        return 1000 / self.block_ms if self.block_ms else None

    @classmethod
    async def open(cls, url: str, contract: str) -> NeoN3Direct:
        rpc = NeoRpc(url)
        protocol = (await rpc.request("getversion"))["protocol"]
        magic = as_int(protocol["network"], "network")
        return cls(rpc, contract, magic, as_int(protocol["msperblock"], "msperblock"))

    async def close(self) -> None:
        await self.rpc.close()

    def script(self) -> bytes:
        return params.call_script(
            self.contract, "request", [seed_arg(secrets.token_bytes(SEED_BYTES))]
        )

    async def price(self, sender: Sender) -> tuple[int, int]:
        """System fee (the most of a few test runs, plus margins: a fee too low FAULTs) and
        network fee, asked once: every pre-signed transaction has the same size and the
        same single-signature witness."""
        consumed = 0
        for _ in range(PRICE_RUNS):
            run = await dry_run(self.rpc, self.script(), accounts.hash160(sender.verification))
            if run.state != "HALT":
                raise BenchError(f"neo-n3 request() faults in a test run: {run.exception}")
            consumed = max(consumed, run.gas_consumed)
        system_fee = int(consumed * FEE_MARGIN) + FEE_EXTRA
        unpriced = self._draft(sender, system_fee, 0, 1)
        return system_fee, await network_fee(self.rpc, unpriced)

    async def presign(self, sender: Sender, count: int) -> deque[tuple[str, bytes]]:
        """``count`` signed transactions (random nonce and seed each), oldest first."""
        if self.fees is None:
            self.fees = await self.price(sender)
        height = as_int(await self.rpc.request("getblockcount"), "block count")
        pool: deque[tuple[str, bytes]] = deque()
        for _ in range(count):
            draft = self._draft(sender, *self.fees, height + VALID_FOR_BLOCKS)
            raw = await sign(draft, self.magic, sender.sign)
            pool.append((parse_unsigned_transaction(raw).hash_hex, raw))
        return pool

    def _draft(self, sender: Sender, system_fee: int, fee: int, valid_until: int) -> Draft:
        return Draft(
            script=self.script(),
            sender=accounts.hash160(sender.verification),
            verification=sender.verification,
            nonce=secrets.randbits(32),
            system_fee=system_fee,
            network_fee=fee,
            valid_until_block=valid_until,
        )

    def operation(self, sender: Sender, pool: deque[tuple[str, bytes]]) -> Operation:
        """Send the next pre-signed transaction and wait for its application log (HALT)."""

        async def run() -> bool:
            if not pool:
                return False
            tx_hash, raw = pool.popleft()
            await send(self.rpc, raw, tx_hash)
            deadline = time.monotonic() + RECEIPT_TIMEOUT_S
            log = await wait_for(
                lambda: application_log(self.rpc, tx_hash), tx_hash, deadline, POLL_S
            )
            state = log["executions"][0]["vmstate"]
            if state != "HALT":
                raise BenchError(f"neo-n3 direct transaction {tx_hash} ended {state}")
            return True

        return run
