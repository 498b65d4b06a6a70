"""Unconfirmed records are settled by the ``settle-unconfirmed`` task, on the real Hardhat node
with inclusion made deterministic (automine off, ``evm_mine`` when the test says so): in place
as succeeded or failed once mined, as expired once the nonce went to another transaction or
(without a deadline of its own) once older than the expiry."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from contracts_harness import FUNDING, Api, make_settings, nx_deploy_body, problem
from tests.chain_helpers import node_rpc
from web3.types import Nonce
from web3.utils.address import get_create_address

from nsl.core.health import Status
from nsl.core.settings import ContractsSettings, Settings
from nsl.services.contracts.settlement import SETTLE_TASK

BASE = "/api/v1/contracts/neo-x"
RECEIPT_WAIT_S = 0.3  # how long an invoke waits for its block before answering 504


def settings(tmp_path: Path, dev_chains: Any, expiry_s: float = 3600.0) -> Settings:
    chains = dev_chains.settings_overrides()
    chains["neo_x"] = {**chains["neo_x"], "receipt_timeout_s": RECEIPT_WAIT_S}
    contracts = ContractsSettings(settle_interval_s=3600, unconfirmed_expiry_s=expiry_s)
    return make_settings(tmp_path, chains).model_copy(update={"contracts": contracts})


@asynccontextmanager
async def manual_mining(url: str) -> AsyncIterator[None]:
    """Blocks only on ``evm_mine``; automine comes back whatever happens."""
    await node_rpc(url, "evm_setAutomine", False)
    try:
        yield
    finally:
        await node_rpc(url, "evm_setAutomine", True)


async def funded_key(api: Api, dev_chains: Any) -> tuple[dict[str, str], dict[str, Any]]:
    ann = await api.user("ann")
    key = await api.key(ann, "neo-x")
    await dev_chains.fund("neo-x", key["address"], FUNDING["neo-x"])
    return ann, key


async def settle(api: Api) -> None:
    service = api.runtime.services["contracts"]
    await service.run_task_once(SETTLE_TASK)
    health = {check.name: check for check in (await service.health()).checks}
    check = health[f"contracts.task.{SETTLE_TASK}"]
    assert (check.status, check.detail) == (Status.OK, ""), check


async def validity(api: Api, table: str, tx_hash: str) -> Any:
    (row,) = [r for r in await api.rows(table) if r["tx_hash"] == tx_hash]
    value = row["validity"]
    return json.loads(value) if isinstance(value, str) else value


def store(contract: str, key_id: str, note: str) -> dict[str, Any]:
    return {"contract": contract, "method": "store", "args": [7, 10, note], "key_id": key_id}


async def settled_total(api: Api, outcome: str) -> float:
    text = (await api.http.get("/metrics")).text
    series = f'nsl_contracts_settled_total{{chain="neo-x",outcome="{outcome}"}} '
    lines = [line for line in text.splitlines() if line.startswith(series)]
    return float(lines[0].split()[-1]) if lines else 0.0


async def test_a_deploy_and_invokes_left_unconfirmed_are_settled_once_mined(
    tmp_path: Path, dev_chains: Any
) -> None:
    url = dev_chains.neo_x_url
    async with Api(settings(tmp_path, dev_chains)) as api:
        ann, key = await funded_key(api, dev_chains)
        async with manual_mining(url):
            body = nx_deploy_body(key["key_id"], name="late")
            sent = problem(
                await api.http.post(f"{BASE}/deploy", json=body, headers=ann), 504, "chain.timeout"
            )
            deploy_tx = sent["tx_hash"]
            assert await validity(api, "contracts_deployments", deploy_tx) == {
                "sender": key["address"],
                "nonce": 0,
            }
            await settle(api)  # not mined yet: stays unconfirmed
            (pending,) = await deployments(api, ann)
            assert (pending["status"], pending["address"], pending["block"]) == (
                "unconfirmed",
                None,
                None,
            )

            await node_rpc(url, "evm_mine")
            await settle(api)
            (deployed,) = await deployments(api, ann)
            receipt = await node_rpc(url, "eth_getTransactionReceipt", deploy_tx)
            assert_mined(deployed, receipt)
            assert (deployed["status"], deployed["state"]) == ("succeeded", "HALT")
            contract = deployed["address"]
            assert contract == get_create_address(key["address"], Nonce(0))

            # two stores of one key, both unconfirmed; mined together, the second reverts
            for note in ("first", "second"):
                answer = await api.http.post(
                    f"{BASE}/invoke", json=store(contract, key["key_id"], note), headers=ann
                )
                problem(answer, 504, "chain.timeout")
            await node_rpc(url, "evm_mine")
        await settle(api)
        history = await api.http.get(f"{BASE}/{contract}/invocations", headers=ann)
        second, first = history.json()["items"]
        for record in (first, second):
            assert_mined(
                record, await node_rpc(url, "eth_getTransactionReceipt", record["tx_hash"])
            )
        assert (first["status"], first["state"], first["exception"]) == ("succeeded", "HALT", None)
        (event,) = first["events"]
        assert (event["name"], event["args"]["note"], event["tx_hash"]) == (
            "Stored",
            "first",
            first["tx_hash"],
        )
        assert (second["status"], second["state"]) == ("failed", "FAULT")
        assert (second["exception"], second["events"]) == ("key already set", [])
        assert await settled_total(api, "succeeded") == 2
        assert await settled_total(api, "failed") == 1


async def deployments(api: Api, headers: dict[str, str]) -> list[dict[str, Any]]:
    found = await api.http.get(BASE, headers=headers)
    assert found.status_code == 200, found.text
    items: list[dict[str, Any]] = found.json()["items"]
    return items


def assert_mined(record: dict[str, Any], receipt: dict[str, Any]) -> None:
    """The record names the block and fee the node reports for its transaction."""
    assert record["block"] == int(receipt["blockNumber"], 16)
    assert record["block_hash"] == receipt["blockHash"]
    assert record["gas_consumed"] == int(receipt["gasUsed"], 16)
    assert record["fee"] == int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)


async def unconfirmed_then_dropped(
    api: Api, url: str, ann: dict[str, str], key: dict[str, Any]
) -> str:
    """Deploy (mined), then an invoke the node drops from its pool; the invoke's hash."""
    deployed = await api.http.post(
        f"{BASE}/deploy", json=nx_deploy_body(key["key_id"]), headers=ann
    )
    assert deployed.status_code == 201, deployed.text
    contract = deployed.json()["address"]
    async with manual_mining(url):
        answer = await api.http.post(
            f"{BASE}/invoke", json=store(contract, key["key_id"], "lost"), headers=ann
        )
        tx_hash: str = problem(answer, 504, "chain.timeout")["tx_hash"]
        assert await node_rpc(url, "hardhat_dropTransaction", tx_hash) is True
    return tx_hash


async def invocation(api: Api, ann: dict[str, str], tx_hash: str) -> dict[str, Any]:
    rows = await api.rows("contracts_invocations")
    (row,) = [r for r in rows if r["tx_hash"] == tx_hash]
    history = await api.http.get(f"{BASE}/{row['contract']}/invocations", headers=ann)
    items: list[dict[str, Any]] = history.json()["items"]
    (record,) = [r for r in items if r["tx_hash"] == tx_hash]
    return record


async def test_an_invoke_whose_nonce_another_transaction_took_expires(
    tmp_path: Path, dev_chains: Any
) -> None:
    url = dev_chains.neo_x_url
    async with Api(settings(tmp_path, dev_chains)) as api:
        ann, key = await funded_key(api, dev_chains)
        lost = await unconfirmed_then_dropped(api, url, ann, key)
        assert await validity(api, "contracts_invocations", lost) == {
            "sender": key["address"],
            "nonce": 1,
        }
        await settle(api)  # nonce 1 still free: it could still be sent again and land
        assert (await invocation(api, ann, lost))["status"] == "unconfirmed"

        contract = (await deployments(api, ann))[0]["address"]
        taken = await api.http.post(
            f"{BASE}/invoke", json=store(contract, key["key_id"], "taken"), headers=ann
        )
        assert taken.status_code == 200 and taken.json()["status"] == "succeeded", taken.text
        assert await validity(api, "contracts_invocations", taken.json()["tx_hash"]) is None
        await settle(api)
        record = await invocation(api, ann, lost)
        assert (record["status"], record["exception"]) == ("failed", "expired: never included")
        assert (record["block"], record["state"], record["fee"], record["events"]) == (
            None,
            None,
            None,
            [],
        )
        assert await settled_total(api, "expired") == 1


async def test_without_a_deadline_of_its_own_an_old_send_expires_by_age(
    tmp_path: Path, dev_chains: Any
) -> None:
    url = dev_chains.neo_x_url
    async with Api(settings(tmp_path, dev_chains, expiry_s=0.001)) as api:
        ann, key = await funded_key(api, dev_chains)
        lost = await unconfirmed_then_dropped(api, url, ann, key)
        count = await node_rpc(url, "eth_getTransactionCount", key["address"], "latest")
        assert int(count, 16) == 1  # the nonce never moved past the lost transaction
        await settle(api)
        record = await invocation(api, ann, lost)
        assert (record["status"], record["exception"]) == ("failed", "expired: never included")
