"""The endpoint pool: failover, circuit breaking, half-open probes, definitive answers."""

from __future__ import annotations

import pytest

from nsl.chains.endpoints import EndpointFailure, EndpointPool, endpoint_name
from nsl.core.chain import ChainRejected, ChainUnavailable
from nsl.core.clock import ManualClock
from nsl.core.health import Status
from nsl.core.metrics import Metrics
from nsl.core.settings import ChainSettings


def pool(
    names: list[str], clock: ManualClock, metrics: Metrics | None = None, **overrides: object
) -> EndpointPool[str]:
    options: dict[str, object] = {"retries": 2, "breaker_failures": 1, "breaker_reset_s": 10}
    settings = ChainSettings.model_validate({**options, **overrides})
    return EndpointPool(
        "neo-n3", [(n, n) for n in names], settings, metrics or Metrics("t", "test"), clock
    )


def worker(down: set[str], calls: list[str]):  # type: ignore[no-untyped-def]
    async def work(client: str) -> str:
        calls.append(client)
        if client in down:
            raise EndpointFailure("connection refused")
        return f"answer from {client}"

    return work


async def test_a_dead_endpoint_fails_over_to_the_next() -> None:
    calls: list[str] = []
    p = pool(["a", "b"], ManualClock())
    assert await p.run("getversion", worker({"a"}, calls)) == "answer from b"
    assert calls == ["a", "b"]


async def test_every_endpoint_down_is_chain_unavailable_naming_what_was_tried() -> None:
    p = pool(["a", "b"], ManualClock())
    with pytest.raises(ChainUnavailable) as raised:
        await p.run("getversion", worker({"a", "b"}, []))
    assert raised.value.code == "chain.unavailable"
    assert "a" in raised.value.detail and "b" in raised.value.detail
    assert raised.value.status == 503


async def test_repeated_failures_open_the_circuit_and_traffic_avoids_it() -> None:
    clock = ManualClock()
    calls: list[str] = []
    p = pool(["a", "b"], clock)
    await p.run("x", worker({"a"}, calls))
    states = {s.name: s.state for s in p.statuses()}
    assert states == {"a": "open", "b": "closed"}
    calls.clear()
    await p.run("x", worker(set(), calls))
    assert calls == ["b"]
    assert p.check().status is Status.DEGRADED


async def test_after_the_reset_time_one_probe_closes_a_recovered_circuit() -> None:
    clock = ManualClock()
    p = pool(["a", "b"], clock)
    await p.run("x", worker({"a"}, []))
    clock.advance(10)  # the breaker's reset time passes
    assert {s.name: s.state for s in p.statuses()}["a"] == "half-open"
    calls: list[str] = []
    await p.run("x", worker(set(), calls))
    assert calls == ["a"]
    assert all(s.state == "closed" for s in p.statuses())
    assert p.check().status is Status.OK


async def test_a_failed_probe_reopens_the_circuit_at_once() -> None:
    clock = ManualClock()
    p = pool(["a", "b"], clock)
    await p.run("x", worker({"a"}, []))
    clock.advance(10)
    await p.run("x", worker({"a"}, []))
    assert {s.name: s.state for s in p.statuses()}["a"] == "open"


async def test_a_definitive_answer_from_the_node_is_not_retried_elsewhere() -> None:
    calls: list[str] = []

    async def work(client: str) -> str:
        calls.append(client)
        raise ChainRejected("insufficient funds")

    p = pool(["a", "b"], ManualClock())
    with pytest.raises(ChainRejected):
        await p.run("send", work)
    assert calls == ["a"]
    assert all(s.state == "closed" for s in p.statuses())


async def test_a_slow_endpoint_times_out_and_the_call_moves_on() -> None:
    import asyncio

    release = asyncio.Event()

    async def work(client: str) -> str:
        if client == "slow":
            await release.wait()
        return client

    p = pool(["slow", "fast"], ManualClock(), timeout_s=0.05)
    assert await p.run("x", work) == "fast"
    slow = next(s for s in p.statuses() if s.name == "slow")
    assert slow.last_error is not None and "timed out" in slow.last_error


async def test_all_circuits_open_is_down_and_metrics_show_it() -> None:
    metrics = Metrics("t", "test")
    p = pool(["a"], ManualClock(), metrics, breaker_failures=2)
    for _ in range(2):
        with pytest.raises(ChainUnavailable):
            await p.run("x", worker({"a"}, []))
    assert p.check().status is Status.DOWN
    text = metrics.render().decode()
    assert 'nsl_chain_endpoint_up{chain="neo-n3",endpoint="a"} 0.0' in text
    assert 'outcome="error"' in text


def test_endpoint_names_drop_credentials_paths_and_queries() -> None:
    url = "https://user:secret@rpc.example.org:8443/v3/APIKEY?token=abc"
    assert endpoint_name(url) == "https://rpc.example.org:8443"
