"""One oracle node against real loopback sources: honest ones make a signed round; lying,
slow, broken, huge and redirecting ones are excluded with reasons and never published; too
few usable sources make no round and mark the feed stale; disagreement is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from oracle_harness import Node, PriceServer, feed_body, make_settings

from nsl.core.clock import ManualClock

FAULTS = {"liar": "far", "slow": "slow", "broken": "broken", "huge": "huge", "private": "private"}


@pytest.fixture
async def node(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Node]:
    started = Node(make_settings(tmp_path), clock)
    await started.start()
    yield started
    await started.stop()


def setup_sources(prices: PriceServer) -> list[str]:
    prices.price("a", "100.00")
    prices.price("b", "100.02")
    prices.price("c", "99.98")
    prices.price("liar", "250.0")
    for path in ("slow", "broken", "huge", "private"):
        prices.answers[path] = path
    return ["a", "b", "c", "liar", "slow", "broken", "huge", "private"]


async def test_faulty_sources_are_excluded_with_reasons_and_honest_ones_make_a_signed_round(
    node: Node, prices: PriceServer
) -> None:
    await node.call("POST", "/feeds", 201, json=feed_body(prices, "NEO/USD", setup_sources(prices)))
    await node.rounds()

    latest = await node.call("GET", "/feeds/NEO/USD/latest")
    assert latest["value"] == "100.00000000" and latest["answer"] == "10000000000"
    assert latest["round_id"] == 1 and latest["stale"] is False
    assert latest["heartbeat_s"] == 3600 and latest["updated_at"].startswith("2026-01-01")
    rounds = await node.call("GET", "/feeds/NEO/USD/rounds")
    (observation,) = rounds["items"][0]["observations"]
    excluded = {e["source"]: e["reason"] for e in observation["sources"]["excluded"]}
    assert excluded == {
        "liar": "outlier",
        "slow": "timeout",
        "broken": "not_json",
        "huge": "too_large",
        "private": "private_address",
    }
    assert sorted(u["source"] for u in observation["sources"]["used"]) == ["a", "b", "c"]

    (offchain,) = latest["reports"]
    assert offchain["chain"] == "offchain" and len(offchain["signatures"]) == 1
    # checked here with cryptography alone, from the message bytes the report carries
    signature = bytes.fromhex(offchain["signatures"][0]["signature"])
    key = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), bytes.fromhex(offchain["signatures"][0]["signer"])
    )
    der = encode_dss_signature(int.from_bytes(signature[:32]), int.from_bytes(signature[32:]))
    key.verify(der, bytes.fromhex(offchain["message"]), ec.ECDSA(hashes.SHA256()))

    claim = {
        "chain": "offchain",
        "feed": "NEO/USD",
        "round_id": 1,
        "answer": latest["answer"],
        "timestamp": latest["timestamp"],
        "signatures": offchain["signatures"],
    }
    verdict = await node.call("POST", "/verify", json=claim)
    assert verdict["valid"] is True and verdict["valid_signatures"] == 1
    tampered = await node.call("POST", "/verify", json={**claim, "answer": "10000000001"})
    assert tampered["valid"] is False
    assert tampered["signatures"][0]["reason"] == "bad_signature"


async def test_too_few_usable_sources_make_no_round_and_the_feed_is_stale(
    node: Node, prices: PriceServer
) -> None:
    prices.price("a", "100.00")
    prices.answers.update(broken="broken", private="private")
    body = feed_body(prices, "GAS/USD", ["a", "broken", "private"], min_sources=2)
    await node.call("POST", "/feeds", 201, json=body)
    await node.rounds()

    missing = await node.call("GET", "/feeds/GAS/USD/latest", 404)
    assert missing["code"] == "oracle.no_report"
    feed = await node.call("GET", "/feeds/GAS/USD")
    assert feed["stale"] is True and feed["round_id"] is None
    assert feed["refusal"]["reason"] == "min_sources"
    health = await node.service.health()
    assert any(c.name == "oracle.rounds" and c.status.value == "degraded" for c in health.checks)
    metrics = (await node.http.get("/metrics")).text
    assert 'nsl_oracle_rounds_refused_total{reason="min_sources"} 1.0' in metrics


async def test_sources_that_disagree_beyond_tolerance_are_refused(
    node: Node, prices: PriceServer
) -> None:
    for path, value in (("a", "100"), ("b", "103"), ("c", "106")):
        prices.price(path, value)
    await node.call("POST", "/feeds", 201, json=feed_body(prices, "FLM/USD", ["a", "b", "c"]))
    await node.rounds()
    feed = await node.call("GET", "/feeds/FLM/USD")
    assert feed["round_id"] is None and feed["stale"] is True
    assert feed["refusal"]["reason"] == "spread"


async def test_a_fresh_round_waits_for_deviation_or_heartbeat(
    node: Node, prices: PriceServer, clock: ManualClock
) -> None:
    for path, value in (("a", "10.00"), ("b", "10.01"), ("c", "9.99")):
        prices.price(path, value)
    body = feed_body(prices, "BTC/USD", ["a", "b", "c"], deviation="0.005", heartbeat_s=60)
    await node.call("POST", "/feeds", 201, json=body)
    await node.rounds()
    prices.price("a", "10.02")  # median 10.01: 0.1 % from 10.00, below the 0.5 % threshold
    clock.advance(10)
    await node.rounds()
    assert (await node.call("GET", "/feeds/BTC/USD/latest"))["round_id"] == 1
    prices.price("b", "10.20")
    prices.price("c", "10.10")  # median 10.10: 1 % away
    await node.rounds()
    assert (await node.call("GET", "/feeds/BTC/USD/latest"))["value"] == "10.10000000"
    clock.advance(61)  # heartbeat: a round even without a move
    stale = await node.call("GET", "/feeds/BTC/USD/latest")
    assert stale["stale"] is True
    await node.rounds()
    fresh = await node.call("GET", "/feeds/BTC/USD/latest")
    assert fresh["round_id"] == 3 and fresh["stale"] is False


async def test_bad_feed_definitions_are_refused_naming_the_field(
    node: Node, prices: PriceServer
) -> None:
    body = feed_body(prices, "X/USD", ["a", "b", "c"])
    body["sources"][1]["path"] = "$..price[?(@ > 1)]"
    bad = await node.call("POST", "/feeds", 400, json=body)
    assert bad["errors"][0]["field"] == "sources[1].path"
    two = await node.call("POST", "/feeds", 400, json=feed_body(prices, "X/USD", ["a", "b"]))
    assert two["errors"][0]["field"] == "sources"
    private = feed_body(prices, "X/USD", ["a", "b", "c"])
    private["sources"][2]["url"] = "http://10.1.2.3/price"
    refused = await node.call("POST", "/feeds", 422, json=private)
    assert refused["errors"][0]["field"] == "sources[2].url"
    developer = await node.user("dev")
    await node.call(
        "POST", "/feeds", 403, json=feed_body(prices, "X/USD", ["a", "b", "c"]), headers=developer
    )
