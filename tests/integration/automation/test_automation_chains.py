"""On the real dev chains: a block-height trigger fires once the chain reaches the height, and
its contract action is signed by the owner's named key through the contracts service; the
chain state is read back independently (a read-only call to the contract)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from automation_harness import Api, make_settings
from tests.polling import eventually

from nsl.core.clock import ManualClock

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
N3_NEF = (FIXTURES / "neo_n3" / "probe.nef").read_bytes()
N3_MANIFEST: dict[str, Any] = json.loads((FIXTURES / "neo_n3" / "probe.manifest.json").read_text())
N3 = "/api/v1/contracts/neo-n3"


async def deploy_probe(api: Api, dev_chains: Any, headers: dict[str, str]) -> tuple[str, str]:
    """A funded Neo N3 key of the caller and the probe contract it deployed."""
    created = await api.http.post("/api/v1/keys", json={"key_type": "secp256r1"}, headers=headers)
    assert created.status_code == 201, created.text
    key = created.json()
    await dev_chains.fund("neo-n3", key["neo_address"], 100 * 10**8)
    body = {
        "key_id": key["key_id"],
        "nef": base64.b64encode(N3_NEF).decode(),
        "manifest": N3_MANIFEST,
    }
    deployed = await api.http.post(f"{N3}/deploy", json=body, headers=headers)
    assert deployed.status_code == 201, deployed.text
    return key["key_id"], deployed.json()["address"]


async def test_a_block_height_trigger_invokes_a_contract_with_the_owners_key(
    tmp_path: Path, dev_chains: Any, clock: ManualClock
) -> None:
    settings = make_settings(tmp_path, {"chains": dev_chains.settings_overrides()})
    async with Api(settings, clock, extra=("contracts", "keys")) as api:
        ann, bob = await api.user("ann"), await api.user("bob")
        key_id, contract = await deploy_probe(api, dev_chains, ann)
        height = await api.runtime.ctx.chains.get("neo-n3").height()
        action = {
            "type": "contract",
            "chain": "neo-n3",
            "contract": contract,
            "method": "put",
            "args": ["auto", 7],
            "key_id": key_id,
        }
        job = await api.create(
            ann, trigger={"type": "block", "chain": "neo-n3", "height": height + 2}, action=action
        )
        assert job["next_run_at"] is None
        await api.service.run_task_once("watch")
        await api.tick()
        assert await api.executions(ann, job["id"]) == []  # the height is not reached yet

        async def fired() -> bool:
            await api.service.run_task_once("watch")
            await api.tick()
            return bool(await api.executions(ann, job["id"]))

        await eventually(fired, within=60, interval=0.5)
        (execution,) = await api.executions(ann, job["id"])
        assert execution["status"] == "succeeded", execution
        assert execution["result"]["tx_hash"].startswith("0x")
        assert (await api.get(f"/jobs/{job['id']}", ann))["status"] == "completed"
        got = await api.http.post(
            f"{N3}/call",
            json={"contract": contract, "method": "get", "args": ["auto"]},
            headers=ann,
        )
        assert int(got.json()["result"][0]["value"]) == 7
        history = await api.http.get(f"{N3}/{contract}/invocations", headers=ann)
        assert history.status_code == 200, history.text
        hashes = [i["tx_hash"] for i in history.json()["items"]]
        assert execution["result"]["tx_hash"] in hashes

        # bob cannot point a job at ann's key: the execution fails with the keys service's refusal
        stolen = await api.create(
            bob, trigger={"type": "block", "chain": "neo-n3", "height": 0}, action=action
        )
        await api.service.run_task_once("watch")
        await api.tick()
        (refused,) = await api.executions(bob, stolen["id"])
        assert refused["status"] in ("retrying", "failed") and "keys." in refused["error"]
