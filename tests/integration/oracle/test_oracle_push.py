"""Push on the real dev chains: four nodes finalize a round, the lease holder submits it to
an OracleConsumer on Neo N3 and on Neo X (signer set = the nodes' keys, threshold 3), and
each contract's ``latest(feed)`` then holds the round. The pulled report carries the same
packed signatures a caller could submit itself."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from oracle_harness import Node, PriceServer, feed_body, make_settings, signers_of

from nsl.chains import reports
from nsl.chains.artifacts import load_artifact
from nsl.core.clock import ManualClock
from nsl.core.settings import OracleConsumerTarget

CHAINS = ("neo-n3", "neo-x")
KEY_TYPES = {"neo-n3": "secp256r1", "neo-x": "secp256k1"}
ADDRESS_FIELD = {"neo-n3": "neo_address", "neo-x": "evm_address"}
FUNDING = {"neo-n3": 100 * 10**8, "neo-x": 10 * 10**18}


@pytest.fixture
async def nodes(dev_chains: Any, tmp_path: Path, clock: ManualClock) -> AsyncIterator[list[Node]]:
    chains = dev_chains.settings_overrides()
    started: list[Node] = []
    try:
        for i in range(1, 5):
            settings = make_settings(tmp_path, node_id=f"node-{i}")
            settings = settings.model_copy(update={"chains": type(settings.chains)(**chains)})
            only = ["oracle", "contracts", "keys"] if i == 1 else ["oracle"]
            node = Node(settings, clock, only=only)
            await node.start()
            started.append(node)
        signers = signers_of(started)
        for node in started:
            node.settings.oracle.signers = signers
        yield started
    finally:
        for node in started:
            await node.stop()


async def deploy_consumer(
    node: Node, owner: dict[str, str], chain: str, key: dict[str, Any]
) -> str:
    artifact = load_artifact(chain, "OracleConsumer")
    if chain == "neo-n3":
        body: dict[str, Any] = {
            "key_id": key["key_id"],
            "nef": base64.b64encode(artifact.code).decode(),
            "manifest": artifact.manifest,
        }
    else:
        body = {
            "key_id": key["key_id"],
            "bytecode": "0x" + artifact.code.hex(),
            "abi": artifact.abi,
        }
    deployed = await node.http.post(
        f"/api/v1/contracts/{chain}/deploy", json=body, headers=owner, timeout=120
    )
    assert deployed.status_code == 201, deployed.text
    address: str = deployed.json()["address"]
    return address


def signer_set_arg(chain: str, keys: list[bytes]) -> Any:
    ids = reports.signer_ids(chain, keys)
    if chain == "neo-n3":
        return {"type": "Array", "value": [{"type": "PublicKey", "value": k} for k in ids]}
    return ids


async def test_rounds_are_pushed_to_both_chains_and_read_back_from_the_contracts(
    nodes: list[Node], dev_chains: Any, prices: PriceServer
) -> None:
    first = nodes[0]
    auth = first.runtime.services["auth"]
    record = await auth.create_principal("ann", "user", ["developer"], "Correct-Horse-42!")
    _, raw = await auth.create_api_key(record.id, "ann-key")
    ann = {"X-API-Key": raw}
    members = [n.service.keys.own() for n in nodes]
    consumers = []
    for chain in CHAINS:
        created = await first.http.post(
            "/api/v1/keys", json={"key_type": KEY_TYPES[chain]}, headers=ann
        )
        assert created.status_code == 201, created.text
        key = created.json()
        await dev_chains.fund(chain, key[ADDRESS_FIELD[chain]], FUNDING[chain])
        contract = await deploy_consumer(first, ann, chain, key)
        keys = [m.n3_public if chain == "neo-n3" else m.x_public for m in members]
        body = {
            "contract": contract,
            "method": "set_signers",
            "args": [signer_set_arg(chain, keys), 3],
            "key_id": key["key_id"],
        }
        done = await first.http.post(
            f"/api/v1/contracts/{chain}/invoke", json=body, headers=ann, timeout=120
        )
        assert done.status_code == 200 and done.json()["state"] == "HALT", done.text
        consumers.append(
            OracleConsumerTarget(
                chain=chain, contract=contract, key_id=key["key_id"], owner_id=record.id
            )
        )
    for node in nodes:
        node.settings.oracle.consumers = consumers

    for path, value in (("a", "7.10"), ("b", "7.11"), ("c", "7.09")):
        prices.price(path, value)
    await first.call("POST", "/feeds", 201, json=feed_body(prices, "NEO/USD", ["a", "b", "c"]))
    for _ in range(4):
        for node in nodes:
            await node.rounds()
    rounds = await first.call("GET", "/feeds/NEO/USD/rounds")
    (final,) = rounds["items"]
    pushes = {p["chain"]: p for p in final["pushes"]}
    assert {c: pushes[c]["status"] for c in CHAINS} == {c: "succeeded" for c in CHAINS}, pushes

    latest = await first.call("GET", "/feeds/NEO/USD/latest")
    assert [r["chain"] for r in latest["reports"]] == ["offchain", *CHAINS]
    for chain, consumer in zip(CHAINS, consumers, strict=True):
        body = {"contract": consumer.contract, "method": "latest", "args": ["NEO/USD"]}
        read = await first.http.post(f"/api/v1/contracts/{chain}/call", json=body, headers=ann)
        assert read.status_code == 200, read.text
        (item,) = read.json()["result"]
        stored = [v["value"] for v in item["value"]] if chain == "neo-n3" else item["value"]
        assert stored == ["1", latest["answer"], str(latest["timestamp"])]
        report = next(r for r in latest["reports"] if r["chain"] == chain)
        claim = {k: report[k] for k in ("chain", "network_id", "contract")}
        claim.update(
            feed="NEO/USD",
            round_id=1,
            answer=latest["answer"],
            timestamp=latest["timestamp"],
            signatures=report["signatures"],
        )
        assert (await first.call("POST", "/verify", json=claim))["valid"] is True
