"""Chain benchmark (``make bench``): contract invocations/s and event-delivery latency on the dev
chains that ``nsl up`` starts, each against the chain's own limit measured in the same run.

Prints one JSON line per scenario (and concurrency or confirmations depth) on stdout; progress
goes to stderr. See docs/performance.md, "Chains (issue 4)".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench import chains_events, chains_invoke, chains_setup, servers
from bench.chains_direct_n3 import NeoN3Direct
from bench.chains_direct_x import NeoXDirect
from bench.chains_invoke import Plan
from bench.chains_setup import CHAINS, Service
from bench.chains_watch import Receiver
from bench.run import cpu_busy_share
from bench.servers import BenchError
from nsl.client import AsyncClient
from nsl.core.chain import NEO_N3
from nsl.core.settings import DevChainSettings, EventsSettings

HARDHAT = servers.REPO / "tools" / "hardhat" / "node_modules" / ".bin" / "hardhat"
BUSY_SHARE = 0.15


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load")
    parser.add_argument("--concurrency", type=int, default=16, help="the concurrent runs' workers")
    parser.add_argument("--events-duration", type=float, default=20.0, help="seconds of events")
    parser.add_argument(
        "--poll-interval", type=float, help="NSL_EVENTS__POLL_INTERVAL_S (default: the setting's)"
    )
    parser.add_argument("--chain", action="append", choices=CHAINS, help="only this chain")
    parser.add_argument("--smoke", action="store_true", help="a few seconds per scenario (CI)")
    parser.add_argument("--out", type=Path, help="also write the JSON lines to this file")
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.warmup, args.events_duration = 2.0, 0.5, 3.0
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    workdir = Path(tempfile.mkdtemp(prefix="nsl-bench-chains-"))
    began = time.monotonic()
    try:
        reason = servers.nsl_available()
        if reason is not None:
            raise BenchError(f"the service layer cannot be started: {reason}")
        if not HARDHAT.exists():
            raise BenchError(f"Hardhat is not installed ({HARDHAT}): run `make hardhat`")
        lines = bench(args, workdir)
    except BenchError as exc:
        print(f"bench: {exc}\nbench: logs kept in {workdir}", file=sys.stderr)
        return 1
    except BaseException:
        print(f"bench: failed; logs kept in {workdir}", file=sys.stderr)
        raise
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("".join(json.dumps(line) + "\n" for line in lines))
    shutil.rmtree(workdir, ignore_errors=True)
    _progress(f"done in {time.monotonic() - began:.0f} s")
    return 0


def bench(args: argparse.Namespace, workdir: Path) -> list[dict[str, object]]:
    extra = {}
    if args.poll_interval is not None:
        extra["NSL_EVENTS__POLL_INTERVAL_S"] = str(args.poll_interval)
    _progress("starting nsl up with its dev chains")
    service = chains_setup.start(workdir, secrets.token_urlsafe(36), extra)
    try:
        _progress("nsl contracts deploy --chain neo-n3 / neo-x")
        chains_setup.deploy_platform(service, workdir)
        return asyncio.run(measure(args, service))
    finally:
        servers.stop(service.server)


async def measure(args: argparse.Namespace, service: Service) -> list[dict[str, object]]:
    base = service.server.base_url
    headers = {"X-API-Key": service.admin_key}
    limits = httpx.Limits(max_connections=args.concurrency + 4)
    lines: list[dict[str, object]] = []
    receiver = Receiver()
    receiver.start()
    try:
        async with (
            AsyncClient(base, api_key=service.admin_key, timeout=120) as client,
            httpx.AsyncClient(base_url=base, headers=headers, timeout=120, limits=limits) as http,
        ):
            for chain in args.chain or CHAINS:
                run = ChainRun(args, service, client, http, receiver, chain)
                lines += await run.measure()
    finally:
        receiver.stop()
    return lines


class ChainRun:
    """Both scenarios on one chain, with its keys, baseline senders and contract."""

    def __init__(
        self,
        args: argparse.Namespace,
        service: Service,
        client: AsyncClient,
        http: httpx.AsyncClient,
        receiver: Receiver,
        chain: str,
    ) -> None:
        self.args, self.service, self.chain = args, service, chain
        self.client, self.http, self.receiver = client, http, receiver
        self.plan = Plan(args.duration, args.warmup, args.concurrency)

    async def measure(self) -> list[dict[str, object]]:
        chain, plan, lines = self.chain, self.plan, []
        contract = await chains_setup.consumer_address(self.client, chain)
        direct = await _direct(chain, self.service.endpoints[chain], contract)
        try:
            keys = await chains_setup.managed_keys(self.client, chain, plan.concurrency)
            senders = [direct.new_sender() for _ in range(plan.concurrency)]
            _progress(f"{chain}: funding {2 * plan.concurrency} accounts")
            addresses = [k.address for k in keys] + [s.address for s in senders]
            await chains_setup.fund_all(self.service, chain, addresses)
            for concurrency in sorted({1, plan.concurrency}):
                _warn_if_busy(self.args.smoke)
                _progress(f"{chain}: invoke at concurrency {concurrency}, straight to the node")
                base = await chains_invoke.straight_to_node(direct, senders[:concurrency], plan)
                _progress(f"{chain}: invoke at concurrency {concurrency}, through the API")
                got = await chains_invoke.through_api(
                    self.http, chain, contract, keys[:concurrency], plan
                )
                line = chains_invoke.line(chain, concurrency, got, base, direct, plan)
                if got[1].count:
                    _progress(f"warning: {got[1].count} invocations FAULTed: {got[1].first}")
                lines.append(_emit(line))
            _warn_if_busy(self.args.smoke)
            _progress(f"{chain}: events delivery latency")
            for line in await chains_events.scenario(
                self.client,
                self.http,
                chain,
                self.service.endpoints[chain],
                contract,
                keys[0].key_id,
                self.receiver,
                self.args.events_duration,
                self._timing(),
            ):
                lines.append(_emit(line))
        finally:
            await direct.close()
        return lines

    def _timing(self) -> chains_events.Timing:
        events = EventsSettings()  # the defaults: the bench passes no other NSL_EVENTS__*
        return chains_events.Timing(
            poll_interval_s=self.args.poll_interval or events.poll_interval_s,
            delivery_interval_s=events.delivery_interval_s,
            block_time_ms=DevChainSettings().block_time_ms if self.chain == NEO_N3 else None,
        )


async def _direct(chain: str, url: str, contract: str) -> Any:
    if chain == NEO_N3:
        return await NeoN3Direct.open(url, contract)
    return await NeoXDirect.open(url, contract)


def _emit(line: dict[str, object]) -> dict[str, object]:
    print(json.dumps(line), flush=True)
    return line


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _warn_if_busy(smoke: bool) -> None:
    """Say so when other work is using the CPUs right before a measurement (Linux only)."""
    busy = cpu_busy_share(0.3 if smoke else 1.0)
    if busy is not None and busy > BUSY_SHARE:
        _progress(f"warning: CPUs {busy:.0%} busy before measuring; other work skews figures")


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
