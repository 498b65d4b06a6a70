"""What the contracts API refuses, and that a refusal sends and records nothing: unknown
chains, malformed code, other principals' keys, auditors, and a chain with every endpoint down."""

from __future__ import annotations

import base64
import copy
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from contracts_harness import (
    FUNDING,
    N3_MANIFEST,
    N3_NEF,
    Api,
    make_settings,
    n3_deploy_body,
    nx_deploy_body,
    problem,
)
from tests.netfault import TcpProxy

BASE = "/api/v1/contracts"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/ethereum/deploy"),
        ("POST", "/neo/invoke"),
        ("POST", "/NEO-N3/call"),
        ("GET", "/bitcoin"),
        ("GET", "/solana/0x01/events"),
    ],
)
async def test_an_unknown_chain_is_a_400_naming_both_chains(
    api: Api, method: str, path: str
) -> None:
    headers = await api.user("ann")
    body: dict[str, Any] = {"contract": "0x01", "method": "m", "args": []}
    if path.endswith("invoke"):
        body["key_id"] = "k"
    if path.endswith("deploy"):
        body = {"key_id": "k", "bytecode": "0x00", "abi": []}
    response = await api.http.request(
        method, BASE + path, headers=headers, json=body if method == "POST" else None
    )
    found = problem(response, 400, "chain.unknown")
    assert "neo-n3" in found["detail"] and "neo-x" in found["detail"]
    assert found["errors"][0]["field"] == "chain"


def _mangled_nef() -> str:
    body = bytearray(N3_NEF)
    body[-6] ^= 0xFF  # a script byte: the checksum no longer matches
    return base64.b64encode(bytes(body)).decode()


def _bad_manifest() -> dict[str, Any]:
    manifest = copy.deepcopy(N3_MANIFEST)
    manifest["abi"]["methods"][0]["offset"] = 99_999
    return manifest


@pytest.mark.parametrize(
    ("chain", "change", "field"),
    [
        ("neo-n3", {"nef": _mangled_nef()}, "nef"),
        ("neo-n3", {"nef": "***"}, "nef"),
        ("neo-n3", {"manifest": _bad_manifest()}, "manifest.abi.methods[0].offset"),
        ("neo-n3", {"manifest": "{not json"}, "manifest"),
        ("neo-x", {"bytecode": "0x60zz"}, "bytecode"),
        ("neo-x", {"bytecode": "0x"}, "bytecode"),
        (
            "neo-x",
            {"abi": [{"type": "function", "name": "f", "inputs": [{"type": "uint7"}]}]},
            "abi[0].inputs[0].type",
        ),
        ("neo-x", {"args": []}, "args"),
    ],
)
async def test_malformed_code_is_refused_before_anything_is_signed_sent_or_recorded(
    api: Api, dev_chains: Any, chain: str, change: dict[str, Any], field: str
) -> None:
    ann = await api.user("ann")
    key = await api.key(ann, chain)
    await dev_chains.fund(chain, key["address"], FUNDING[chain])
    make = n3_deploy_body if chain == "neo-n3" else nx_deploy_body
    response = await api.http.post(
        f"{BASE}/{chain}/deploy", json={**make(key["key_id"]), **change}, headers=ann
    )
    assert response.status_code in (400, 422), response.text
    assert response.json()["errors"][0]["field"] == field
    assert await api.sign_count(ann, key["key_id"]) == 0
    assert await api.rows("contracts_deployments") == []


async def test_another_principal_can_neither_use_my_key_nor_see_my_records(
    api: Api, dev_chains: Any
) -> None:
    ann, bob = await api.user("ann"), await api.user("bob")
    key = await api.key(ann, "neo-n3")
    await dev_chains.fund("neo-n3", key["address"], FUNDING["neo-n3"])
    deployed = await api.http.post(
        f"{BASE}/neo-n3/deploy", json=n3_deploy_body(key["key_id"]), headers=ann
    )
    assert deployed.status_code == 201, deployed.text
    contract = deployed.json()["address"]
    invoke = {"contract": contract, "method": "put", "args": ["k", 1], "key_id": key["key_id"]}
    signed_before = await api.sign_count(ann, key["key_id"])

    stolen = await api.http.post(f"{BASE}/neo-n3/invoke", json=invoke, headers=bob)
    problem(stolen, 404, "keys.not_found")
    redeploy = await api.http.post(
        f"{BASE}/neo-n3/deploy", json=n3_deploy_body(key["key_id"]), headers=bob
    )
    problem(redeploy, 404, "keys.not_found")
    estimate = await api.http.post(f"{BASE}/neo-n3/estimate", json=invoke, headers=bob)
    problem(estimate, 404, "keys.not_found")
    assert await api.sign_count(ann, key["key_id"]) == signed_before
    assert await api.rows("contracts_invocations") == []

    mine = await api.http.post(f"{BASE}/neo-n3/invoke", json=invoke, headers=ann)
    assert mine.status_code == 200 and mine.json()["status"] == "succeeded", mine.text
    assert (await api.http.get(f"{BASE}/neo-n3", headers=bob)).json()["total"] == 0
    seen = await api.http.get(f"{BASE}/neo-n3/{contract}", headers=bob)
    assert seen.status_code == 200 and seen.json()["deployment"] is None
    assert seen.json()["contract_info"]["name"] == "NslProbe"
    history = await api.http.get(f"{BASE}/neo-n3/{contract}/invocations", headers=bob)
    assert history.json()["total"] == 0
    assert (await api.http.get(f"{BASE}/neo-n3", headers=ann)).json()["total"] == 1
    assert (await api.http.get(f"{BASE}/neo-n3", headers=api.admin())).json()["total"] == 1
    auditor = await api.user("audrey", ["auditor"])
    listed = await api.http.get(f"{BASE}/neo-n3/{contract}/invocations", headers=auditor)
    assert listed.json()["total"] == 1


async def test_an_auditor_reads_but_cannot_deploy_invoke_or_estimate(api: Api) -> None:
    auditor = await api.user("audrey", ["auditor"])
    body = {"contract": "0x" + "00" * 20, "method": "m", "args": [], "key_id": "k"}
    for action in ("invoke", "estimate"):
        response = await api.http.post(f"{BASE}/neo-x/{action}", json=body, headers=auditor)
        problem(response, 403, "auth.role_required")
    deploy = await api.http.post(f"{BASE}/neo-n3/deploy", json=n3_deploy_body("k"), headers=auditor)
    problem(deploy, 403, "auth.role_required")
    assert (await api.http.get(f"{BASE}/neo-x", headers=auditor)).status_code == 200


@pytest.fixture
async def proxied(
    dev_chains: Any, tmp_path: Path
) -> AsyncIterator[tuple[Api, dict[str, TcpProxy]]]:
    """A gateway whose only endpoint per chain is a proxy to the dev node (cut it to kill it)."""
    chains = dev_chains.settings_overrides()
    proxies: dict[str, TcpProxy] = {}
    for chain, url in (("neo_n3", dev_chains.neo_n3_url), ("neo_x", dev_chains.neo_x_url)):
        host, port = url.rsplit("//", 1)[1].split("/")[0].rsplit(":", 1)
        proxy = TcpProxy(host, int(port))
        await proxy.start()
        proxies[chain.replace("_", "-")] = proxy
        chains[chain] = {
            **chains.get(chain, {}),
            "endpoints": [f"http://127.0.0.1:{proxy.port}"],
            "retries": 1,
            "timeout_s": 1.0,
        }
    async with Api(make_settings(tmp_path, chains)) as gateway:
        yield gateway, proxies
    for proxy in proxies.values():
        await proxy.cut()


@pytest.mark.parametrize("chain", ["neo-n3", "neo-x"])
async def test_with_every_endpoint_down_writes_are_503_and_nothing_is_recorded_as_sent(
    proxied: tuple[Api, dict[str, TcpProxy]], dev_chains: Any, chain: str
) -> None:
    api, proxies = proxied
    ann = await api.user("ann")
    key = await api.key(ann, chain)
    await dev_chains.fund(chain, key["address"], FUNDING[chain])
    make = n3_deploy_body if chain == "neo-n3" else nx_deploy_body
    deployed = await api.http.post(f"{BASE}/{chain}/deploy", json=make(key["key_id"]), headers=ann)
    assert deployed.status_code == 201, deployed.text
    contract = deployed.json()["address"]
    signed = await api.sign_count(ann, key["key_id"])
    method, args = ("put", ["k", 7]) if chain == "neo-n3" else ("touch", [])

    await proxies[chain].cut()
    invoke = {"contract": contract, "method": method, "args": args, "key_id": key["key_id"]}
    problem(
        await api.http.post(f"{BASE}/{chain}/invoke", json=invoke, headers=ann),
        503,
        "chain.unavailable",
    )
    redeploy = await api.http.post(f"{BASE}/{chain}/deploy", json=make(key["key_id"]), headers=ann)
    problem(redeploy, 503, "chain.unavailable")
    call = {"contract": contract, "method": "get", "args": ["k"] if chain == "neo-n3" else [1]}
    problem(
        await api.http.post(f"{BASE}/{chain}/call", json=call, headers=ann),
        503,
        "chain.unavailable",
    )

    assert await api.rows("contracts_invocations") == []
    assert len(await api.rows("contracts_deployments")) == 1
    assert await api.sign_count(ann, key["key_id"]) == signed
    outcomes = [outcome for _, _, outcome in await api.audit("invoke")]
    assert outcomes == ["chain.unavailable"]
