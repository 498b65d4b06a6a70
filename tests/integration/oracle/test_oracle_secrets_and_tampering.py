"""A source's API key comes from the secrets service by reference (never stored or shown);
a proposal altered in the database is signed by no node, so no round is final until the
round times out and is observed again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from oracle_harness import Node, PriceServer, feed_body, make_settings, signers_of
from sqlalchemy import text

from nsl.core.clock import ManualClock


@pytest.fixture
async def node(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Node]:
    started = Node(make_settings(tmp_path), clock, only=["oracle", "secrets"])
    await started.start()
    yield started
    await started.stop()


async def test_a_source_header_is_read_from_the_secrets_service(
    node: Node, prices: PriceServer
) -> None:
    written = await node.http.put(
        "/api/v1/secrets/oracle/vendor",
        json={"data": {"api_key": "s3cret-key"}},
        headers=node.admin,
    )
    assert written.status_code == 200, written.text
    prices.price("a", "100.00")
    prices.price("b", "100.02")
    prices.answers["keyed"] = "secret"
    body = feed_body(prices, "KEY/USD", ["a", "b", "keyed"])
    body["sources"][2]["headers"] = {"x-api-key": {"secret": "oracle/vendor", "key": "api_key"}}
    created = await node.call("POST", "/feeds", 201, json=body)
    assert created["sources"][2]["headers"] == {"x-api-key": "<secret>"}
    await node.rounds()
    rounds = await node.call("GET", "/feeds/KEY/USD/rounds")
    (observation,) = rounds["items"][0]["observations"]
    assert sorted(u["source"] for u in observation["sources"]["used"]) == ["a", "b", "keyed"]
    assert "s3cret-key" not in str(await node.call("GET", "/feeds/KEY/USD"))

    body = feed_body(prices, "NOKEY/USD", ["a", "b", "keyed"], min_sources=2)
    body["sources"][2]["headers"] = {"x-api-key": {"secret": "oracle/missing"}}
    await node.call("POST", "/feeds", 201, json=body)
    await node.rounds()
    rounds = await node.call("GET", "/feeds/NOKEY/USD/rounds")
    (observation,) = rounds["items"][0]["observations"]
    assert observation["sources"]["excluded"] == [
        {"source": "keyed", "reason": "secret_unavailable"}
    ]


@pytest.fixture
async def nodes(tmp_path: Path, clock: ManualClock) -> AsyncIterator[list[Node]]:
    started: list[Node] = []
    try:
        for i in range(1, 5):
            node = Node(make_settings(tmp_path, node_id=f"node-{i}"), clock)
            await node.start()
            started.append(node)
        for node in started:
            node.settings.oracle.signers = signers_of(started)
        yield started
    finally:
        for node in started:
            await node.stop()


async def test_a_tampered_proposal_gets_no_signatures_and_is_dropped(
    nodes: list[Node], prices: PriceServer, clock: ManualClock
) -> None:
    for path, value in (("a", "7.10"), ("b", "7.11"), ("c", "7.09")):
        prices.price(path, value)
    await nodes[0].call("POST", "/feeds", 201, json=feed_body(prices, "NEO/USD", ["a", "b", "c"]))
    for node in nodes:
        await node.rounds()  # every node observes; node-1 holds the lease
    await nodes[0].rounds()  # node-1 proposes (and signs its proposal)
    async with nodes[0].runtime.adapters.database.session() as session:
        await session.execute(text("UPDATE oracle_rounds SET answer = '900000000'"))
        await session.execute(text("DELETE FROM oracle_signatures"))
    for _ in range(2):
        for node in nodes:
            await node.rounds()
    await nodes[0].call("GET", "/feeds/NEO/USD/latest", 404)
    async with nodes[0].runtime.adapters.database.session() as session:
        signatures = (
            await session.execute(text("SELECT count(*) FROM oracle_signatures"))
        ).scalar()
    assert signatures == 0
    metrics = (await nodes[1].http.get("/metrics")).text
    assert 'nsl_oracle_rounds_refused_total{reason="bad_proposal"}' in metrics

    clock.advance(61)  # past round_timeout_s: the round is dropped and observed afresh
    for _ in range(4):
        for node in nodes:
            await node.rounds()
    latest = await nodes[0].call("GET", "/feeds/NEO/USD/latest")
    assert latest["round_id"] == 1 and latest["value"] == "7.10000000"
