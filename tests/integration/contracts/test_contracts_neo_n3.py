"""Neo N3 through the HTTP API on the real dev chain: deploy the probe contract, invoke it,
call it, estimate, read its events and our records; a FAULT is recorded failed, never sent."""

from __future__ import annotations

from typing import Any

import httpx
from contracts_harness import FUNDING, N3_NEF, Api, n3_deploy_body
from neo3.contracts.nef import NEF
from neo3.contracts.utils import get_contract_hash
from neo3.core import types

BASE = "/api/v1/contracts/neo-n3"
GAS_TOKEN = "0xd2a4cff31913016155e38e474a2c06d08be276cf"


async def gas_balance(url: str, address: str) -> int:
    """The account's GAS, asked of the node directly (not through our adapter)."""
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            url,
            json={"jsonrpc": "2.0", "id": 1, "method": "getnep17balances", "params": [address]},
        )
    balances = answer.json()["result"]["balance"]
    return sum(int(b["amount"]) for b in balances if b["assethash"] == GAS_TOKEN)


def expected_contract_hash(script_hash: str) -> str:
    """What ContractManagement names the probe deployed by ``script_hash`` (neo-mamba)."""
    sender = types.UInt160(bytes.fromhex(script_hash[2:])[::-1])
    checksum = NEF.deserialize_from_bytes(N3_NEF).checksum
    return "0x" + str(get_contract_hash(sender, checksum, "NslProbe"))


async def deploy(api: Api, dev_chains: Any) -> tuple[dict[str, str], dict[str, Any], str]:
    ann = await api.user("ann")
    key = await api.key(ann, "neo-n3")
    await dev_chains.fund("neo-n3", key["address"], FUNDING["neo-n3"])
    body = n3_deploy_body(key["key_id"], name="probe-1", data="hello")
    deployed = await api.http.post(f"{BASE}/deploy", json=body, headers=ann)
    assert deployed.status_code == 201, deployed.text
    record = deployed.json()
    assert (record["status"], record["state"], record["error"]) == ("succeeded", "HALT", None)
    assert record["address"] == expected_contract_hash(key["script_hash"])
    assert record["tx_hash"].startswith("0x") and record["block"] >= 1 and record["fee"] > 0
    assert record["name"] == "probe-1" and record["manifest"]["name"] == "NslProbe"
    return ann, key, record["address"]


async def test_deploy_invoke_call_and_read_events_through_http(api: Api, dev_chains: Any) -> None:
    ann, key, contract = await deploy(api, dev_chains)
    deploy_fee = (await api.http.get(BASE, headers=ann)).json()["items"][0]["fee"]

    put = {"contract": contract, "method": "put", "args": ["greeting", 42], "key_id": key["key_id"]}
    invoked = await api.http.post(f"{BASE}/invoke", json=put, headers=ann)
    assert invoked.status_code == 200, invoked.text
    result = invoked.json()
    assert (result["status"], result["state"], result["exception"]) == ("succeeded", "HALT", None)
    assert result["tx_hash"].startswith("0x") and result["invocation_id"].startswith("inv_")
    assert result["gas_consumed"] > 0 and result["fee"] > result["gas_consumed"]
    assert [e["name"] for e in result["events"]] == ["Stored", "Touched"]
    assert all(e["tx_hash"] == result["tx_hash"] for e in result["events"])

    got = await api.http.post(
        f"{BASE}/call",
        json={"contract": contract, "method": "get", "args": ["greeting"]},
        headers=ann,
    )
    assert got.status_code == 200, got.text
    assert got.json()["state"] == "HALT" and got.json()["exception"] is None
    assert got.json()["result"][0]["type"] == "Integer"
    assert int(got.json()["result"][0]["value"]) == 42
    greeted = await api.http.post(
        f"{BASE}/call", json={"contract": contract, "method": "greet", "args": ["bob"]}, headers=ann
    )
    assert greeted.json()["result"][0]["text"] == "hello bob"

    estimate = await api.http.post(f"{BASE}/estimate", json=put, headers=ann)
    assert estimate.status_code == 200, estimate.text
    assert estimate.json()["state"] == "HALT" and estimate.json()["sender"] == key["address"]
    assert estimate.json()["total_fee"] == sum(estimate.json()["details"].values()) > 0

    # the account paid exactly the two recorded fees (asked of the node, not of us)
    paid = FUNDING["neo-n3"] - await gas_balance(dev_chains.neo_n3_url, key["address"])
    assert paid == deploy_fee + result["fee"]

    block = result["block"]
    stored = await api.http.get(
        f"{BASE}/{contract}/events",
        params={"from_block": block, "to_block": block, "name": "Stored"},
        headers=ann,
    )
    assert stored.status_code == 200, stored.text
    events = stored.json()
    assert (events["total"], events["from_block"], events["to_block"]) == (1, block, block)
    event = events["items"][0]
    assert (event["name"], event["tx_hash"], event["block_number"]) == (
        "Stored",
        result["tx_hash"],
        block,
    )
    assert event["contract"] == contract
    first = await api.http.get(f"{BASE}/{contract}/events", params={"page_size": 1}, headers=ann)
    assert first.json()["total"] >= 2 and len(first.json()["items"]) == 1

    info = await api.http.get(f"{BASE}/{contract}", headers=ann)
    assert info.status_code == 200, info.text
    assert info.json()["deployment"]["address"] == contract
    assert info.json()["contract_info"]["name"] == "NslProbe"
    named = await api.http.get(BASE, params={"name": "probe-1"}, headers=ann)
    assert [d["address"] for d in named.json()["items"]] == [contract]
    assert (await api.http.get(BASE, params={"name": "other"}, headers=ann)).json()["total"] == 0
    targets = [(target, outcome) for _, target, outcome in await api.audit("deploy")]
    assert targets == [(f"contract/neo-n3/{contract}", "ok")]


async def test_a_fault_is_recorded_as_failed_with_the_vm_message_and_costs_nothing(
    api: Api, dev_chains: Any
) -> None:
    ann, key, contract = await deploy(api, dev_chains)
    before = await gas_balance(dev_chains.neo_n3_url, key["address"])
    signed = await api.sign_count(ann, key["key_id"])
    fail = {"contract": contract, "method": "fail", "args": ["no way"], "key_id": key["key_id"]}

    faulted = await api.http.post(f"{BASE}/invoke", json=fail, headers=ann)
    assert faulted.status_code == 200, faulted.text
    answer = faulted.json()
    assert (answer["status"], answer["state"], answer["tx_hash"]) == ("failed", "FAULT", None)
    assert "no way" in answer["exception"]
    assert await api.sign_count(ann, key["key_id"]) == signed  # never signed, never sent
    assert await gas_balance(dev_chains.neo_n3_url, key["address"]) == before

    history = await api.http.get(f"{BASE}/{contract}/invocations", headers=ann)
    assert history.status_code == 200, history.text
    (item,) = history.json()["items"]
    assert (item["status"], item["state"], item["method"]) == ("failed", "FAULT", "fail")
    assert "no way" in item["exception"] and item["invocation_id"] == answer["invocation_id"]
    rows = await api.rows("contracts_invocations")
    assert [(r["status"], r["state"], r["tx_hash"]) for r in rows] == [("failed", "FAULT", None)]
    assert "no way" in rows[0]["error"]


async def test_an_n_address_names_the_same_contract_as_its_script_hash(
    api: Api, dev_chains: Any
) -> None:
    from nsl.chains.neo_n3.accounts import script_hash_to_address

    ann, _, contract = await deploy(api, dev_chains)
    n_address = script_hash_to_address(bytes.fromhex(contract[2:])[::-1])
    info = await api.http.get(f"{BASE}/{n_address}", headers=ann)
    assert info.status_code == 200, info.text
    assert info.json()["address"] == contract and info.json()["deployment"] is not None
