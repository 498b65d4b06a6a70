"""Keys and randomness on chain, through HTTP on the real dev chains: a key signs and submits
a transaction in one call (checked with neo-mamba and eth-account), and a randomness result is
published to the platform's consumer contract, which accepts only its fulfiller."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from contracts_harness import FUNDING, Api, make_settings
from eth_account import Account
from neo3 import vm
from neo3.contracts import contract
from neo3.core import cryptography as neo_crypto
from neo3.core import serialization, types
from neo3.network.payloads import transaction, verification
from neo3.wallet import utils as wallet_utils

from nsl.chains.artifacts import load_artifact

N3_MAGIC = 7_040_001
NX_CHAIN_ID = 40_001


@pytest.fixture
async def full(dev_chains: Any, tmp_path: Path) -> Any:
    settings = make_settings(tmp_path, dev_chains.settings_overrides())
    async with Api(settings, ("contracts", "keys", "randomness")) as gateway:
        yield gateway


def unsigned_gas_transfer(
    sender: types.UInt160, to: types.UInt160, amount: int, height: int
) -> bytes:
    script = (
        vm.ScriptBuilder()
        .emit_contract_call_with_args(
            contract.CONTRACT_HASHES.GAS_TOKEN, "transfer", [sender, to, amount, None]
        )
        .to_array()
    )
    tx = transaction.Transaction(
        version=0,
        nonce=height,
        system_fee=10**7,  # generous: the node keeps what is not burnt only for system fee
        network_fee=10**7,
        valid_until_block=height + 100,
        signers=[verification.Signer(sender, verification.WitnessScope.CALLED_BY_ENTRY)],
        script=script,
    )
    with serialization.BinaryWriter() as writer:
        tx.serialize_unsigned(writer)
        return writer.to_array()


async def test_a_neo_n3_transfer_is_signed_and_submitted_in_one_call(
    full: Api, dev_chains: Any
) -> None:
    ann = await full.user("ann")
    key = await full.key(ann, "neo-n3")
    await dev_chains.fund("neo-n3", key["address"], FUNDING["neo-n3"])
    chain = full.runtime.adapters.chains.get("neo-n3")
    public = bytes.fromhex(key["public_key"])
    sender = wallet_utils.public_key_to_script_hash(
        neo_crypto.ECPoint.deserialize_from_bytes(public)
    )
    recipient = types.UInt160(bytes(range(1, 21)))
    unsigned = unsigned_gas_transfer(sender, recipient, 3 * 10**8, await chain.height())

    signed = await full.http.post(
        f"/api/v1/keys/{key['key_id']}/sign",
        json={
            "scheme": "neo-n3-tx",
            "transaction": unsigned.hex(),
            "network_magic": N3_MAGIC,
            "submit": True,
        },
        headers=ann,
    )
    assert signed.status_code == 200, signed.text
    body = signed.json()
    submitted = body["submitted"]
    assert submitted["state"] == "HALT" and submitted["block"] >= 1
    assert submitted["tx_hash"] == body["tx_hash"]
    message = N3_MAGIC.to_bytes(4, "little") + bytes.fromhex(body["tx_hash"][2:])[::-1]
    assert neo_crypto.verify_signature(message, bytes.fromhex(body["signature"]), public)
    assert await chain.balance(wallet_utils.script_hash_to_address(recipient)) == 3 * 10**8


async def test_a_neo_x_transfer_is_signed_and_submitted_in_one_call(
    full: Api, dev_chains: Any
) -> None:
    ann = await full.user("ann")
    key = await full.key(ann, "neo-x")
    await dev_chains.fund("neo-x", key["address"], FUNDING["neo-x"])
    recipient = Account.create().address
    tx = {
        "chainId": NX_CHAIN_ID,
        "nonce": 0,
        "to": recipient,
        "value": 12345,
        "gas": 21_000,
        "maxFeePerGas": 10**11,
        "maxPriorityFeePerGas": 10**9,
    }
    signed = await full.http.post(
        f"/api/v1/keys/{key['key_id']}/sign",
        json={"scheme": "evm-eip1559", "transaction": tx, "submit": True},
        headers=ann,
    )
    assert signed.status_code == 200, signed.text
    body = signed.json()
    assert body["submitted"]["state"] == "HALT"
    assert body["submitted"]["tx_hash"] == body["tx_hash"]
    assert Account.recover_transaction(body["raw_transaction"]) == key["address"]
    chain = full.runtime.adapters.chains.get("neo-x")
    assert await chain.balance(recipient) == 12345


async def test_submit_is_refused_for_data_signatures_before_anything_is_signed(full: Api) -> None:
    ann = await full.user("ann")
    key = await full.key(ann, "neo-n3")
    refused = await full.http.post(
        f"/api/v1/keys/{key['key_id']}/sign",
        json={"data": "abcd", "submit": True},
        headers=ann,
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["field"] == "submit"
    assert await full.sign_count(ann, key["key_id"]) == 0


async def deploy_consumer(
    full: Api, headers: dict[str, str], chain: str, key: dict[str, Any]
) -> str:
    artifact = load_artifact(chain, "RandomnessConsumer")
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
    deployed = await full.http.post(f"/api/v1/contracts/{chain}/deploy", json=body, headers=headers)
    assert deployed.status_code == 201, deployed.text
    address: str = deployed.json()["address"]
    account: Any = key["address"]
    if chain == "neo-n3":
        account = {"type": "Hash160", "value": account}
    configured = await invoke(full, headers, chain, address, "set_fulfiller", [account], key)
    assert configured["state"] == "HALT", configured
    return address


async def invoke(
    full: Api,
    headers: dict[str, str],
    chain: str,
    contract: str,
    method: str,
    args: list[Any],
    key: dict[str, Any],
) -> dict[str, Any]:
    body = {"contract": contract, "method": method, "args": args, "key_id": key["key_id"]}
    answer = await full.http.post(f"/api/v1/contracts/{chain}/invoke", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


@pytest.mark.parametrize("chain", ["neo-n3", "neo-x"])
async def test_randomness_is_published_to_the_consumer_only_by_its_fulfiller(
    full: Api, dev_chains: Any, chain: str
) -> None:
    ann = await full.user("ann")
    fulfiller = await full.key(ann, chain)
    stranger = await full.key(ann, chain)
    for key in (fulfiller, stranger):
        await dev_chains.fund(chain, key["address"], FUNDING[chain])
    consumer = await deploy_consumer(full, ann, chain, fulfiller)
    seed: Any = {"type": "ByteArray", "value": "c0ffee"} if chain == "neo-n3" else "0xc0ffee"
    requested = await invoke(full, ann, chain, consumer, "request", [seed], stranger)
    (event,) = [e for e in requested["events"] if e["name"] == "RandomnessRequested"]
    on_chain_id = int(event["args"]["request_id"])

    generated = await full.http.post(
        "/api/v1/randomness", json={"alpha": "c0ffee", "request_id": f"r-{chain}"}, headers=ann
    )
    assert generated.status_code == 201, generated.text
    beta = generated.json()["beta"]

    publish = {"chain": chain, "contract": consumer, "consumer_request_id": on_chain_id}
    refused = await full.http.post(
        f"/api/v1/randomness/r-{chain}/publish",
        json={**publish, "key_id": stranger["key_id"]},
        headers=ann,
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["invocation"]["state"] == "FAULT"
    assert "fulfiller" in refused.json()["invocation"]["exception"]

    published = await full.http.post(
        f"/api/v1/randomness/r-{chain}/publish",
        json={**publish, "key_id": fulfiller["key_id"]},
        headers=ann,
    )
    assert published.status_code == 200, published.text
    invocation = published.json()["invocation"]
    assert invocation["state"] == "HALT"
    (fulfilled,) = [e for e in invocation["events"] if e["name"] == "RandomnessFulfilled"]
    assert fulfilled["args"]["randomness"].removeprefix("0x") == beta

    stored = await full.http.post(
        f"/api/v1/contracts/{chain}/call",
        json={"contract": consumer, "method": "get", "args": [on_chain_id]},
        headers=ann,
    )
    assert beta in str(stored.json()["result"])


async def test_publishing_an_unknown_request_is_404(full: Api) -> None:
    ann = await full.user("ann")
    missing = await full.http.post(
        "/api/v1/randomness/nope/publish",
        json={
            "chain": "neo-x",
            "contract": "0x" + "00" * 20,
            "consumer_request_id": 1,
            "key_id": "k",
        },
        headers=ann,
    )
    assert missing.status_code == 404, missing.text


async def test_a_neo_x_consumer_we_did_not_deploy_is_fulfilled_through_its_interface(
    full: Api, dev_chains: Any
) -> None:
    """The consumer is deployed straight to the chain by someone else (no record of ours, no
    ABI given): publishing still works, through the consumer interface's ``fulfill``."""
    from tests.chain_helpers import EnclaveSigner

    from nsl.core.chain import ContractCall
    from nsl.core.enclave import KeyType

    ann = await full.user("ann")
    fulfiller = await full.key(ann, "neo-x")
    await dev_chains.fund("neo-x", fulfiller["address"], FUNDING["neo-x"])
    enclave = full.runtime.adapters.enclave
    outsider = EnclaveSigner(enclave, await enclave.generate_key(KeyType.SECP256K1, purpose="t"))
    chain = full.runtime.adapters.chains.get("neo-x")
    await dev_chains.fund("neo-x", chain.address_of(outsider.public_key), FUNDING["neo-x"])
    artifact = load_artifact("neo-x", "RandomnessConsumer")
    consumer = (await chain.deploy(artifact.deployment(), outsider)).contract
    assert consumer is not None
    for method, args in (("set_fulfiller", [fulfiller["address"]]), ("request", ["0x01"])):
        call = ContractCall(consumer, method, args, abi=artifact.abi)
        assert (await chain.invoke(call, outsider)).state == "HALT"

    await full.http.post(
        "/api/v1/randomness", json={"alpha": "01", "request_id": "ext"}, headers=ann
    )
    published = await full.http.post(
        "/api/v1/randomness/ext/publish",
        json={
            "chain": "neo-x",
            "contract": consumer,
            "consumer_request_id": 1,
            "key_id": fulfiller["key_id"],
        },
        headers=ann,
    )
    assert published.status_code == 200, published.text
    assert published.json()["invocation"]["state"] == "HALT"
