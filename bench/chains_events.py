"""Scenario ``events_delivery_latency_<chain>``: two webhook subscriptions to
``RandomnessRequested`` (confirmations 0 and 1), events emitted by sequential invokes through
the API; per event, the time from the invoke's answer (its transaction is in a block) to the
webhook's arrival at a receiver in this process. The baseline is the chain's own wait for the
confirmation block, seen on the node, plus the events poll interval (a setting)."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass
from datetime import datetime

import httpx

from bench.chains_invoke import invoke
from bench.chains_loop import percentile, rounded
from bench.chains_watch import Arrival, BlockWatcher, Receiver
from bench.servers import BenchError
from nsl.chains.artifacts import load_artifact
from nsl.client import AsyncClient
from nsl.core.chain import NEO_X

EVENT = "RandomnessRequested"
CONFIRMATIONS = (0, 1)
DELIVERY_DEADLINE_S = 60.0
WAIT_POLL_S = 0.02
PAGE_SIZE = 500


@dataclass(frozen=True)
class Emitted:
    tx_hash: str
    block: int
    answered_at: float  # time.monotonic() once the invoke's answer was read


@dataclass(frozen=True)
class Timing:
    """What the figures are read against: the service's event timers and the chain's block time."""

    poll_interval_s: float
    delivery_interval_s: float
    block_time_ms: int | None


async def scenario(
    client: AsyncClient,
    http: httpx.AsyncClient,
    chain: str,
    url: str,
    contract: str,
    key_id: str,
    receiver: Receiver,
    duration_s: float,
    timing: Timing,
) -> list[dict[str, object]]:
    offset = time.time() - time.monotonic()
    watcher = BlockWatcher(url, chain)
    watcher.start()
    subscriptions: dict[str, int] = {}
    try:
        abi = load_artifact(chain, "RandomnessConsumer").abi if chain == NEO_X else None
        for confirmations in CONFIRMATIONS:
            created = await client.create_event_subscription(
                chain,
                contract,
                {"type": "webhook", "url": receiver.url},
                event_name=EVENT,
                confirmations=confirmations,
                abi=abi,
                description=f"bench: {confirmations} confirmations",
            )
            receiver.secrets[str(created["id"])] = str(created["delivery"]["secret"])
            subscriptions[str(created["id"])] = confirmations
        began = time.monotonic()
        emitted = await _emit(http, chain, contract, key_id, duration_s)
        rate = len(emitted) / (time.monotonic() - began)
        # one more transaction makes the block that confirms the last one (Hardhat mines only
        # on transactions; neo-go would otherwise wait for its 2 s empty block)
        await invoke(http, chain, contract, key_id)
        wanted = {(s, e.tx_hash) for s in subscriptions for e in emitted}
        await _wait_for(receiver, wanted)
        for subscription_id in subscriptions:
            await client.pause_event_subscription(subscription_id)
    finally:
        watcher.stop()
    arrivals = receiver.snapshot()
    lines = []
    for sid, confirmations in subscriptions.items():
        queued = await _queued_at(client, sid, offset)
        mine = [a for a in arrivals if a.subscription_id == sid]
        line = _line(chain, confirmations, emitted, mine, queued, watcher.seen, timing)
        lines.append({**line, "events_per_s": round(rate, 1)})
    return lines


async def _emit(
    http: httpx.AsyncClient, chain: str, contract: str, key_id: str, duration_s: float
) -> list[Emitted]:
    """Sequential invokes until the deadline; a FAULTed one emitted nothing and is left out."""
    emitted = []
    deadline = time.monotonic() + duration_s
    while time.monotonic() < deadline:
        answer = await invoke(http, chain, contract, key_id)
        at = time.monotonic()
        if answer["state"] == "HALT":
            emitted.append(Emitted(str(answer["tx_hash"]).lower(), int(answer["block"]), at))
    if not emitted:
        raise BenchError(f"{chain}: every invoke of the events scenario FAULTed")
    return emitted


async def _wait_for(receiver: Receiver, wanted: set[tuple[str, str]]) -> None:
    deadline = time.monotonic() + DELIVERY_DEADLINE_S
    while True:
        got = {(a.subscription_id, a.tx_hash) for a in receiver.snapshot() if a.kind == "event"}
        missing = wanted - got
        if not missing:
            return
        if time.monotonic() > deadline:
            raise BenchError(
                f"{len(missing)} of {len(wanted)} webhook deliveries missing after"
                f" {DELIVERY_DEADLINE_S:g} s (see the nsl log)"
            )
        await asyncio.sleep(WAIT_POLL_S)


async def _queued_at(client: AsyncClient, subscription_id: str, offset: float) -> dict[str, float]:
    """When the poller created each delivery (the service's wall clock, as monotonic time)."""
    queued: dict[str, float] = {}
    page = 1
    while True:
        listing = await client.event_deliveries(subscription_id, page=page, page_size=PAGE_SIZE)
        for item in listing["items"]:
            if item["kind"] == "event":
                created = datetime.fromisoformat(item["created_at"]).timestamp() - offset
                queued[str(item["event"]["tx_hash"]).lower()] = created
        if page * PAGE_SIZE >= listing["total"]:
            return queued
        page += 1


def _line(
    chain: str,
    confirmations: int,
    emitted: list[Emitted],
    mine: list[Arrival],
    queued: dict[str, float],
    seen: dict[int, float],
    timing: Timing,
) -> dict[str, object]:
    if any(not a.signed for a in mine):
        raise BenchError(f"{chain}: a webhook delivery carried a wrong HMAC signature")
    first: dict[str, float] = {}
    for arrival in sorted(mine, key=lambda a: a.at):
        if arrival.kind == "event":
            first.setdefault(arrival.tx_hash, arrival.at)
    counted = {e.tx_hash for e in emitted}
    duplicates = sum(1 for a in mine if a.kind == "event" and a.tx_hash in counted) - len(counted)
    series: dict[str, list[float]] = {"latency": [], "wait": [], "poll": [], "send": []}
    for event in emitted:
        arrived, made = first[event.tx_hash], queued[event.tx_hash]
        ready = seen.get(event.block + confirmations)
        if ready is None:
            raise BenchError(f"{chain}: block {event.block + confirmations} was never seen")
        series["latency"].append((arrived - event.answered_at) * 1000)
        series["wait"].append(max(0.0, ready - event.answered_at) * 1000)
        series["poll"].append((made - max(event.answered_at, ready)) * 1000)
        series["send"].append((arrived - made) * 1000)
    latency = series["latency"]
    baseline = percentile(series["wait"], 0.5) + timing.poll_interval_s * 1000
    return {
        "scenario": f"events_delivery_latency_{chain}",
        "confirmations": confirmations,
        "events": len(emitted),
        "p50_ms": rounded(percentile(latency, 0.5)),
        "p95_ms": rounded(percentile(latency, 0.95)),
        "max_ms": rounded(max(latency)),
        "baseline": "chain's wait for the confirming block (seen on the node) + poll interval",
        "baseline_ms": rounded(baseline),
        "ratio": round(percentile(latency, 0.5) / baseline, 3) if baseline > 0 else None,
        **_summary("confirmation_wait", series["wait"]),
        **_summary("to_queued", series["poll"]),
        **_summary("queued_to_webhook", series["send"]),
        "block_time_ms": timing.block_time_ms,
        "block_interval_p50_ms": rounded(_block_interval(emitted, seen)),
        "poll_interval_s": timing.poll_interval_s,
        "delivery_interval_s": timing.delivery_interval_s,
        "duplicates": duplicates,
    }


def _summary(name: str, values: list[float]) -> dict[str, float | None]:
    return {
        f"{name}_p50_ms": rounded(percentile(values, 0.5)),
        f"{name}_max_ms": rounded(max(values)),
    }


def _block_interval(emitted: list[Emitted], seen: dict[int, float]) -> float:
    """Median time between consecutive blocks seen while the events were emitted."""
    first, last = emitted[0].block, emitted[-1].block
    times = [seen[n] for n in range(first, last + 1) if n in seen]
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(times)]
    return percentile(gaps, 0.5)
