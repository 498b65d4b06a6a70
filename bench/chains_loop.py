"""Closed-loop load for the chain scenarios: each worker repeats one operation (one transaction,
awaited to its block) until the deadline; exact throughput and latency percentiles."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

#: one operation; False means it has nothing left to send (a pre-signed pool ran dry)
Operation = Callable[[], Awaitable[bool]]


@dataclass(frozen=True)
class Figures:
    """``operations`` completed in ``seconds`` (from the start until the last one finished)."""

    operations: int
    seconds: float
    latencies_ms: tuple[float, ...]
    ran_dry: bool = False

    @property
    def rate(self) -> float:
        return self.operations / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, share: float) -> float:
        return percentile(self.latencies_ms, share)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


async def closed_loop(operations: Sequence[Operation], duration_s: float) -> Figures:
    """Run every operation in its own worker, back to back, until ``duration_s`` passed (or one
    runs dry, which stops them all); operations in flight at the deadline are completed and
    counted, and the time they take is counted too."""
    start = time.perf_counter()
    deadline = start + duration_s
    latencies: list[float] = []
    dry = asyncio.Event()

    async def worker(operation: Operation) -> None:
        while not dry.is_set() and time.perf_counter() < deadline:
            began = time.perf_counter()
            if not await operation():
                dry.set()
                return
            latencies.append((time.perf_counter() - began) * 1000)

    await asyncio.gather(*(worker(op) for op in operations))
    return Figures(len(latencies), time.perf_counter() - start, tuple(latencies), dry.is_set())


def rounded(value: float, digits: int = 1) -> float | None:
    return None if math.isnan(value) else round(value, digits)
