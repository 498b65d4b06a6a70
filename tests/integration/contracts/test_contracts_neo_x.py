"""Neo X through the HTTP API on the real dev chain (Hardhat): deploy the probe contract,
invoke, call, estimate, read its events and our records; a revert is recorded failed."""

from __future__ import annotations

from typing import Any

from contracts_harness import FUNDING, NX_PROBE, Api, nx_deploy_body, problem
from web3.utils.address import get_create_address

BASE = "/api/v1/contracts/neo-x"


async def deploy(api: Api, dev_chains: Any) -> tuple[dict[str, str], dict[str, Any], str]:
    ann = await api.user("ann")
    key = await api.key(ann, "neo-x")
    await dev_chains.fund("neo-x", key["address"], FUNDING["neo-x"])
    deployed = await api.http.post(
        f"{BASE}/deploy", json=nx_deploy_body(key["key_id"], name="probe-x"), headers=ann
    )
    assert deployed.status_code == 201, deployed.text
    record = deployed.json()
    assert (record["status"], record["state"], record["error"]) == ("succeeded", "HALT", None)
    # CREATE address of the key's first transaction, computed by web3 on its own
    assert record["address"] == get_create_address(key["address"], 0)
    assert record["abi"] == NX_PROBE["abi"] and record["fee"] > 0 and record["block"] >= 1
    return ann, key, record["address"]


async def test_deploy_invoke_call_and_read_events_through_http(api: Api, dev_chains: Any) -> None:
    ann, key, contract = await deploy(api, dev_chains)

    store = {
        "contract": contract,
        "method": "store",
        "args": [7, 1234, "first note"],
        "key_id": key["key_id"],
    }
    estimate = await api.http.post(f"{BASE}/estimate", json=store, headers=ann)
    assert estimate.status_code == 200, estimate.text
    assert estimate.json()["state"] == "HALT" and estimate.json()["total_fee"] > 0
    assert estimate.json()["sender"] == key["address"]

    invoked = await api.http.post(f"{BASE}/invoke", json=store, headers=ann)
    assert invoked.status_code == 200, invoked.text
    result = invoked.json()
    assert (result["status"], result["state"], result["exception"]) == ("succeeded", "HALT", None)
    assert result["gas_consumed"] > 21_000 and result["fee"] > 0
    (event,) = result["events"]
    assert event["name"] == "Stored" and event["tx_hash"] == result["tx_hash"]
    assert event["args"]["note"] == "first note"
    assert int(event["args"]["amount"]) == 1234 and int(event["args"]["key"]) == 7

    got = await api.http.post(
        f"{BASE}/call", json={"contract": contract, "method": "get", "args": [7]}, headers=ann
    )
    assert got.status_code == 200, got.text
    assert got.json()["state"] == "HALT"
    assert int(got.json()["result"][0]["value"]) == 1234
    label = await api.http.post(
        f"{BASE}/call", json={"contract": contract, "method": "label", "args": []}, headers=ann
    )
    assert label.json()["result"][0]["value"] == "probe label"

    touched = await api.http.post(
        f"{BASE}/invoke",
        json={"contract": contract, "method": "touch", "key_id": key["key_id"]},
        headers=ann,
    )
    assert touched.status_code == 200 and touched.json()["status"] == "succeeded", touched.text

    events = await api.http.get(f"{BASE}/{contract}/events", headers=ann)
    assert events.status_code == 200, events.text
    assert [e["name"] for e in events.json()["items"]] == ["Stored", "Touched"]
    only = await api.http.get(
        f"{BASE}/{contract}/events",
        params={"name": "Touched", "from_block": touched.json()["block"]},
        headers=ann,
    )
    assert [e["tx_hash"] for e in only.json()["items"]] == [touched.json()["tx_hash"]]

    history = await api.http.get(f"{BASE}/{contract}/invocations", headers=ann)
    assert [i["method"] for i in history.json()["items"]] == ["touch", "store"]
    info = await api.http.get(f"{BASE}/{contract}", headers=ann)
    assert info.status_code == 200, info.text
    assert info.json()["deployment"]["name"] == "probe-x"
    assert info.json()["contract_info"]["size"] > 0


async def test_a_revert_is_recorded_as_failed_with_its_reason(api: Api, dev_chains: Any) -> None:
    ann, key, contract = await deploy(api, dev_chains)
    signed = await api.sign_count(ann, key["key_id"])
    bad = {"contract": contract, "method": "store", "args": [1, 0, "x"], "key_id": key["key_id"]}

    reverted = await api.http.post(f"{BASE}/invoke", json=bad, headers=ann)
    assert reverted.status_code == 200, reverted.text
    answer = reverted.json()
    assert (answer["status"], answer["state"], answer["tx_hash"]) == ("failed", "FAULT", None)
    assert "amount must be non-zero" in answer["exception"]
    assert await api.sign_count(ann, key["key_id"]) == signed
    rows = await api.rows("contracts_invocations")
    assert [(r["status"], r["state"]) for r in rows] == [("failed", "FAULT")]

    call = {"contract": contract, "method": "get", "args": [99]}
    missing = await api.http.post(f"{BASE}/call", json=call, headers=ann)
    assert missing.status_code == 200
    assert missing.json()["state"] == "FAULT" and "unknown key" in missing.json()["exception"]


async def test_a_contract_we_did_not_deploy_needs_its_abi(api: Api, dev_chains: Any) -> None:
    ann, _, contract = await deploy(api, dev_chains)
    stranger = "0x" + "42" * 20
    call = {"contract": stranger, "method": "get", "args": [1]}
    problem(
        await api.http.post(f"{BASE}/call", json=call, headers=ann), 400, "contracts.abi_required"
    )
    # with the ABI in the request, any contract can be called (here: ours again)
    given = {"contract": contract, "method": "owner", "args": [], "abi": NX_PROBE["abi"]}
    owner = await api.http.post(f"{BASE}/call", json=given, headers=ann)
    assert owner.status_code == 200 and owner.json()["state"] == "HALT", owner.text
