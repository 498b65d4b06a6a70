"""Four oracle nodes (four runtimes, one database, each its own enclave key): each observes
the sources and signs its observation, the lease holder proposes the median, every node
signs the agreed report, and the report is final with a 2f+1 quorum that ``/verify`` accepts.
Reports signed by an independent library verify too; tampered ones do not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from eth_account import Account
from eth_account.messages import encode_defunct
from oracle_harness import Node, PriceServer, feed_body, make_settings, signers_of

from nsl.chains.reports import oracle_report_message
from nsl.core.clock import ManualClock

X_CONTRACT = "0x" + "ab" * 20


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings overrides: the shared database (a SQLite file, or PostgreSQL)."""
    if request.param == "postgresql":
        return {"database": {"url": request.getfixturevalue("migrated_postgres_url")}}
    request.getfixturevalue("migrated_data_dir")
    return {}


@pytest.fixture
async def nodes(
    database: dict[str, Any], tmp_path: Path, clock: ManualClock
) -> AsyncIterator[list[Node]]:
    extra = database
    started: list[Node] = []
    try:
        for i in range(1, 5):
            settings = make_settings(tmp_path, node_id=f"node-{i}")
            for key, value in extra.items():
                setattr(settings, key, type(getattr(settings, key))(**value))
            node = Node(settings, clock)
            await node.start()
            started.append(node)
        signers = signers_of(started)
        for node in started:
            node.settings.oracle.signers = signers
        yield started
    finally:
        for node in started:
            await node.stop()


async def run_until_final(nodes: list[Node], feed: str, passes: int = 4) -> dict[str, Any]:
    for _ in range(passes):
        for node in nodes:
            await node.rounds()
        response = await nodes[0].http.get(
            f"/api/v1/oracle/feeds/{feed}/latest", headers=nodes[0].admin
        )
        if response.status_code == 200:
            found: dict[str, Any] = response.json()
            return found
    raise AssertionError(f"no final round for {feed} after {passes} passes")


async def test_four_nodes_reach_a_quorum_report_that_verifies(
    nodes: list[Node], prices: PriceServer
) -> None:
    for path, value in (("a", "7.10"), ("b", "7.11"), ("c", "7.09"), ("d", "7.10")):
        prices.price(path, value)
    await nodes[0].call(
        "POST", "/feeds", 201, json=feed_body(prices, "NEO/USD", ["a", "b", "c", "d"])
    )
    info = await nodes[2].call("GET", "/node")
    assert info == {**info, "node_id": "node-3", "in_signer_set": True, "signers": 4, "quorum": 3}

    latest = await run_until_final(nodes, "NEO/USD")
    assert latest["value"] == "7.10000000" and latest["round_id"] == 1
    assert latest["signers"]["threshold"] == 3 and len(latest["signers"]["members"]) == 4
    rounds = await nodes[1].call("GET", "/feeds/NEO/USD/rounds")
    observed = rounds["items"][0]["observations"]
    assert sorted(o["node_id"] for o in observed) == ["node-1", "node-2", "node-3", "node-4"]

    (report,) = latest["reports"]
    assert len({s["signer"] for s in report["signatures"]}) >= 3
    claim = {
        "chain": "offchain",
        "feed": "NEO/USD",
        "round_id": 1,
        "answer": latest["answer"],
        "timestamp": latest["timestamp"],
        "signatures": report["signatures"],
    }
    for node in nodes:  # any node (or anyone with the signer set) checks it the same way
        verdict = await node.call("POST", "/verify", json=claim)
        assert verdict["valid"] is True and verdict["valid_signatures"] == len(report["signatures"])
    for tampered in ({"round_id": 2}, {"timestamp": latest["timestamp"] + 1}, {"feed": "NEO/EUR"}):
        verdict = await nodes[0].call("POST", "/verify", json={**claim, **tampered})
        assert verdict["valid"] is False and verdict["valid_signatures"] == 0
    two = await nodes[0].call(
        "POST", "/verify", json={**claim, "signatures": report["signatures"][:2]}
    )
    assert two["valid"] is False and two["threshold"] == 3
    doubled = [report["signatures"][0]] * 3
    assert (await nodes[0].call("POST", "/verify", json={**claim, "signatures": doubled}))[
        "valid"
    ] is False


def _p256_signature(key: ec.EllipticCurvePrivateKey, message: bytes) -> str:
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    return (r.to_bytes(32, "big") + s.to_bytes(32, "big")).hex()


async def test_reports_signed_by_independent_libraries_verify(nodes: list[Node]) -> None:
    node = nodes[0]
    fields = {
        "feed": "ETH/USD",
        "round_id": 7,
        "answer": "312345000000",
        "timestamp": 1_767_225_600,
    }
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(4)]
    publics = [
        k.public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
        .hex()
        for k in keys
    ]
    message = oracle_report_message(
        "neo-n3", 0, "0x" + "00" * 20, "ETH/USD", 7, 312345000000, 1_767_225_600
    )
    signed = [
        {"signer": publics[i], "signature": _p256_signature(keys[i], message)} for i in range(3)
    ]
    body = {"chain": "offchain", **fields, "signatures": signed, "signers": publics, "threshold": 3}
    assert (await node.call("POST", "/verify", json=body))["valid"] is True
    assert (await node.call("POST", "/verify", json={**body, "answer": "1"}))["valid"] is False

    accounts = [Account.create() for _ in range(4)]
    x_message = oracle_report_message(
        "neo-x", 40_001, X_CONTRACT, "ETH/USD", 7, 312345000000, 1_767_225_600
    )
    x_signed = [
        {
            "signer": a.address,
            "signature": a.sign_message(encode_defunct(primitive=x_message)).signature.hex(),
        }
        for a in accounts[:3]
    ]
    x_body = {
        "chain": "neo-x",
        "network_id": 40_001,
        "contract": X_CONTRACT,
        **fields,
        "signatures": x_signed,
        "signers": [a.address for a in accounts],
        "threshold": 3,
    }
    assert (await node.call("POST", "/verify", json=x_body))["valid"] is True
    wrong_chain = await node.call("POST", "/verify", json={**x_body, "network_id": 40_002})
    assert wrong_chain["valid"] is False
