"""Every contracts endpoint through the typed client (``nsl.client.AsyncClient``) against the
real gateway and dev chains."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from contracts_harness import FUNDING, N3_MANIFEST, N3_NEF, NX_PROBE, Api

from nsl.client import AsyncClient, BadRequest


async def test_the_client_deploys_invokes_calls_and_reads_on_both_chains(
    api: Api, dev_chains: Any
) -> None:
    headers = await api.user("carol")
    transport = httpx.ASGITransport(app=api.app)
    async with AsyncClient(
        "http://gateway.test", api_key=headers["X-API-Key"], transport=transport, timeout=120
    ) as client:
        n3_key, nx_key = await api.key(headers, "neo-n3"), await api.key(headers, "neo-x")
        await dev_chains.fund("neo-n3", n3_key["address"], FUNDING["neo-n3"])
        await dev_chains.fund("neo-x", nx_key["address"], FUNDING["neo-x"])

        n3 = await client.deploy_neo_n3_contract(n3_key["key_id"], N3_NEF, N3_MANIFEST, data=1)
        nx = await client.deploy_neo_x_contract(
            nx_key["key_id"], NX_PROBE["bytecode"], NX_PROBE["abi"], ["via client"], name="c"
        )
        assert n3["status"] == nx["status"] == "succeeded"

        put = await client.invoke_contract(
            "neo-n3", n3["address"], "put", n3_key["key_id"], ["k", 5]
        )
        assert put["state"] == "HALT"
        touch = await client.invoke_contract("neo-x", nx["address"], "touch", nx_key["key_id"])
        assert touch["state"] == "HALT"

        got = await client.call_contract("neo-n3", n3["address"], "get", ["k"])
        assert int(got["result"][0]["value"]) == 5
        label = await client.call_contract("neo-x", nx["address"], "label")
        assert label["result"][0]["value"] == "via client"
        estimate = await client.estimate_contract(
            "neo-x", nx["address"], "touch", nx_key["key_id"], abi=NX_PROBE["abi"]
        )
        assert estimate["state"] == "HALT"

        assert (await client.list_contracts("neo-x", name="c"))["total"] == 1
        assert (await client.get_contract("neo-n3", n3["address"]))["deployment"] is not None
        events = await client.contract_events("neo-x", nx["address"], name="Touched")
        assert [e["tx_hash"] for e in events["items"]] == [touch["tx_hash"]]
        history = await client.contract_invocations("neo-n3", n3["address"])
        assert [i["invocation_id"] for i in history["items"]] == [put["invocation_id"]]

        with pytest.raises(BadRequest) as refused:
            await client.call_contract("tron", n3["address"], "get", ["k"])
        assert refused.value.code == "chain.unknown"
