"""Arbitrary requests answered with a signed canonical result (under the source rules),
per-consumer rate limits and usage metering, the Python client, and ``OracleClient``
(what automation uses) — through one node."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from oracle_harness import ADMIN_KEY, Node, PriceServer, feed_body, make_settings

from nsl.client import AsyncClient
from nsl.client.errors import ApiError
from nsl.core.clock import ManualClock
from nsl.services.oracle.client import OracleClient


@pytest.fixture
async def node(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Node]:
    started = Node(make_settings(tmp_path), clock)
    await started.start()
    yield started
    await started.stop()


@pytest.fixture
async def limited(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Node]:
    started = Node(make_settings(tmp_path, rate_limit_per_minute=8), clock)
    await started.start()
    yield started
    await started.stop()


def client(node: Node, api_key: str) -> AsyncClient:
    return AsyncClient(
        "http://gateway.test", api_key=api_key, transport=httpx.ASGITransport(app=node.app)
    )


async def test_a_request_is_answered_with_a_signed_canonical_result(
    node: Node, prices: PriceServer
) -> None:
    prices.answers["quote"] = b'{"data": {"quotes": [{"bid": 1.25, "ask": 1.2500000000000000001}]}}'
    prices.answers["broken"] = "broken"
    dev = await node.user("dev")
    answered = await node.call(
        "POST",
        "/requests",
        201,
        json={"url": prices.url("quote"), "filter": "$.data.quotes[0]"},
        headers=dev,
    )
    assert answered["status"] == "answered"
    assert answered["result"] == '{"ask":1.2500000000000000001,"bid":1.25}'  # exact, no floats
    envelope = json.dumps(
        {
            "filter": "$.data.quotes[0]",
            "id": answered["id"],
            "result": answered["result"],
            "url": prices.url("quote"),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(envelope.encode()).digest()
    assert answered["digest"] == digest.hex()
    (signed,) = answered["signatures"]
    assert signed["signer"] == (await node.call("GET", "/node"))["neo_n3"]
    raw = bytes.fromhex(signed["signature"])
    key = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), bytes.fromhex(signed["signer"])
    )
    der = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
    key.verify(der, b"NSL/oracle-request/v1" + digest, ec.ECDSA(hashes.SHA256()))

    failed = await node.call(
        "POST", "/requests", 201, json={"url": prices.url("broken"), "filter": "$.x"}, headers=dev
    )
    assert (
        failed["status"] == "failed"
        and failed["error"] == "not_json"
        and failed["signatures"] is None
    )
    bad = await node.call(
        "POST", "/requests", 400, json={"url": prices.url("quote"), "filter": "price"}, headers=dev
    )
    assert bad["errors"][0]["field"] == "filter"
    private = await node.call(
        "POST", "/requests", 422, json={"url": "http://192.168.1.1/", "filter": "$"}, headers=dev
    )
    assert private["errors"][0]["field"] == "url"
    assert (await node.call("GET", f"/requests/{answered['id']}", headers=dev))[
        "result"
    ] == answered["result"]
    other = await node.user("other")
    await node.call("GET", f"/requests/{answered['id']}", 404, headers=other)


async def test_consumers_are_rate_limited_and_metered_per_day(limited: Node) -> None:
    node = limited
    dev = await node.user("metered")
    for _ in range(8):
        await node.call("GET", "/feeds", headers=dev)
    limited = await node.http.get("/api/v1/oracle/feeds", headers=dev)
    assert limited.status_code == 429 and limited.json()["code"] == "oracle.rate_limited"
    assert int(limited.headers["retry-after"]) >= 1
    usage = await node.call("GET", "/usage", headers=dev)
    assert usage["days"] == [{"day": "2026-01-01", "calls": 8}] and usage["total"] == 8
    await node.call("GET", "/usage", 403, headers=dev, params={"principal_id": "someone-else"})
    mine = await node.call("GET", "/usage", params={"principal_id": usage["principal_id"]})
    assert mine["total"] == 8


async def test_the_python_client_and_the_in_process_client_read_a_feed(
    node: Node, prices: PriceServer
) -> None:
    for path, value in (("a", "1.5"), ("b", "1.5"), ("c", "1.5")):
        prices.price(path, value)
    api = client(node, ADMIN_KEY)
    try:
        body = feed_body(prices, "GAS/EUR", ["a", "b", "c"])
        created = await api.create_oracle_feed(body["name"], body["sources"], decimals=2)
        assert created["stale"] is True
        assert await OracleClient(node.runtime.ctx).latest("GAS/EUR") is None
        await node.rounds()
        latest = await api.oracle_latest("GAS/EUR")
        assert latest["answer"] == "150" and latest["value"] == "1.50"
        assert (await api.list_oracle_feeds())["total"] == 1
        assert (await api.oracle_rounds("GAS/EUR"))["items"][0]["round_id"] == 1
        paused = await api.update_oracle_feed("GAS/EUR", status="paused")
        assert paused["status"] == "paused"
        with pytest.raises(ApiError):
            await api.oracle_feed("NOPE/USD")
        (report,) = latest["reports"]
        claim = {
            "chain": "offchain",
            "feed": "GAS/EUR",
            "round_id": 1,
            "answer": latest["answer"],
            "timestamp": latest["timestamp"],
            "signatures": report["signatures"],
        }
        assert (await api.verify_oracle_report(claim))["valid"] is True
        assert (await api.oracle_node())["quorum"] == 1
        asked = await api.create_oracle_request(prices.url("a"), "$.data.price")
        assert (await api.oracle_request(asked["id"]))["result"] == '"1.5"'
        assert (await api.oracle_usage())["total"] >= 8
    finally:
        await api.aclose()
    seen = await OracleClient(node.runtime.ctx).latest("GAS/EUR")
    assert seen == {
        "feed": "GAS/EUR",
        "value": "1.50",
        "round_id": 1,
        "updated_at": "2026-01-01T00:00:00Z",
        "stale": False,
    }
