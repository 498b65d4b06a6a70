"""Scenario ``contracts_invoke_<chain>``: ``RandomnessConsumer.request(seed)`` through
``POST /api/v1/contracts/{chain}/invoke`` (answered once the transaction is in a block) at
concurrency 1 and N, one managed key per worker, against the same call sent straight to the
node (pre-signed in this process) at the same concurrency, measured just before it."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from bench.chains_loop import Figures, Operation, closed_loop, rounded
from bench.chains_setup import ManagedKey
from bench.servers import BenchError
from nsl.core.chain import NEO_N3

DIRECT_MAX_RATE = 400.0  # tx/s: sizes the first (warm-up) pool when the chain sets no bound
POOL_MARGIN = 1.5
SEED_BYTES = 32


class Direct(Protocol):
    """A chain's baseline sender (``chains_direct_n3`` / ``chains_direct_x``)."""

    label: str
    block_ms: int | None

    def new_sender(self) -> Any: ...
    def per_worker_bound(self) -> float | None: ...
    async def presign(self, sender: Any, count: int) -> Any: ...
    def operation(self, sender: Any, pool: Any) -> Operation: ...


@dataclass(frozen=True)
class Plan:
    duration_s: float
    warmup_s: float
    concurrency: int


def seed_arg(chain: str) -> Any:
    seed = secrets.token_bytes(SEED_BYTES)
    return {"type": "ByteArray", "value": seed.hex()} if chain == NEO_N3 else "0x" + seed.hex()


@dataclass
class Faults:
    """Invocations the service answered with a FAULT (a transaction in a block that failed)."""

    count: int = 0
    first: str | None = None

    def note(self, answer: Any) -> None:
        self.count += 1
        if self.first is None:
            self.first = str(answer.get("exception"))[:300]


async def invoke(http: httpx.AsyncClient, chain: str, contract: str, key_id: str) -> Any:
    """One ``request(seed)`` through the API; its answer (``state`` HALT or FAULT)."""
    body = {"contract": contract, "method": "request", "args": [seed_arg(chain)], "key_id": key_id}
    response = await http.post(f"/api/v1/contracts/{chain}/invoke", json=body)
    if response.status_code != 200:
        raise BenchError(f"{chain} invoke answered {response.status_code}: {response.text[:500]}")
    answer = response.json()
    if answer.get("state") not in ("HALT", "FAULT"):
        raise BenchError(f"{chain} invoke answered state {answer.get('state')!r}")
    return answer


def api_operation(
    http: httpx.AsyncClient, chain: str, contract: str, key_id: str, faults: Faults
) -> Operation:
    async def run() -> bool:
        answer = await invoke(http, chain, contract, key_id)
        if answer["state"] != "HALT":
            faults.note(answer)
        return True

    return run


async def through_api(
    http: httpx.AsyncClient, chain: str, contract: str, keys: list[ManagedKey], plan: Plan
) -> tuple[Figures, Faults]:
    """Warm up, then measure; FAULTed invocations are counted (and counted in the rate: each
    is a transaction in a block, as a caller gets it)."""
    warm, faults = Faults(), Faults()
    operations = [api_operation(http, chain, contract, k.key_id, warm) for k in keys]
    await closed_loop(operations, plan.warmup_s)
    operations = [api_operation(http, chain, contract, k.key_id, faults) for k in keys]
    return await closed_loop(operations, plan.duration_s), faults


async def straight_to_node(direct: Direct, senders: list[Any], plan: Plan) -> Figures:
    """Warm up, then measure with pools big enough for the run: one transaction per block and
    worker where the chain has a block time, else 1.5x the rate the warm-up reached."""
    workers = len(senders)
    bound = direct.per_worker_bound()
    first = bound if bound is not None else DIRECT_MAX_RATE / workers
    pools = [await direct.presign(s, _pool(first, plan.warmup_s)) for s in senders]
    warm = await closed_loop(
        [direct.operation(s, p) for s, p in zip(senders, pools, strict=True)], plan.warmup_s
    )
    rate = bound if bound is not None else warm.rate / workers * POOL_MARGIN
    pools = [await direct.presign(s, _pool(rate, plan.duration_s)) for s in senders]
    return await closed_loop(
        [direct.operation(s, p) for s, p in zip(senders, pools, strict=True)], plan.duration_s
    )


def _pool(rate_per_worker: float, seconds: float) -> int:
    return math.ceil(rate_per_worker * seconds * 1.2) + 10


def line(
    chain: str,
    concurrency: int,
    measured: tuple[Figures, Faults],
    base: Figures,
    direct: Direct,
    plan: Plan,
) -> dict[str, object]:
    got, faults = measured
    result: dict[str, object] = {
        "scenario": f"contracts_invoke_{chain}",
        "concurrency": concurrency,
        "invocations": got.operations,
        "faulted": faults.count,
        "rps": round(got.rate, 1),
        "p50_ms": rounded(got.percentile(0.5)),
        "p99_ms": rounded(got.percentile(0.99)),
        "baseline": direct.label,
        "baseline_rps": round(base.rate, 1),
        "baseline_p50_ms": rounded(base.percentile(0.5)),
        "baseline_p99_ms": rounded(base.percentile(0.99)),
        "ratio": round(got.rate / base.rate, 3) if base.rate else None,
        "duration_s": plan.duration_s,
        "block_time_ms": direct.block_ms,
    }
    if direct.block_ms:  # the chain's own ceiling: each worker lands one transaction per block
        bound = concurrency * 1000 / direct.block_ms
        result["block_bound_rps"] = round(bound, 1)
        result["ratio_to_block_bound"] = round(got.rate / bound, 3)
        result["baseline_ratio_to_block_bound"] = round(base.rate / bound, 3)
    else:
        result["block_bound_rps"] = None  # Hardhat mines each transaction at once
    if faults.first is not None:
        result["first_fault"] = faults.first
    if got.ran_dry or base.ran_dry:
        result["ran_dry"] = True  # a pre-signed pool emptied: the run ended early
    return result
