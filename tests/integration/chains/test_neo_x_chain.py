"""The Neo X adapter against a real Hardhat node: deploy, invoke, reverts, reads, failover.

Transactions are signed by a secp256k1 key of the enclave's own key material (no mock); the
sender is recovered independently with eth-account from the transaction the node holds.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.typed_transactions.typed_transaction import TypedTransaction
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from tests.chain_helpers import node_rpc
from tests.devchains import NEO_X_CHAIN_ID, DevChainsHandle, neo_x_overrides
from tests.polling import eventually

from nsl.chains.devnet.process import free_port
from nsl.chains.neo_x.adapter import NeoXChain
from nsl.chains.neo_x.eip1559 import Eip1559Transaction, sign_transaction
from nsl.core.chain import (
    ChainRejected,
    ChainUnavailable,
    ContractCall,
    Deployment,
    TxOutcome,
)
from nsl.core.clock import SystemClock
from nsl.core.enclave import KeyType, SignAlgorithm
from nsl.core.errors import SettingsError, ValidationFailed
from nsl.core.metrics import Metrics
from nsl.core.settings import NeoXSettings
from nsl.enclave.material import PrivateKey

ARTIFACT = json.loads((Path(__file__).parents[2] / "fixtures/neo_x/Probe.json").read_text())
ABI: list[dict[str, Any]] = ARTIFACT["abi"]
BYTECODE = bytes.fromhex(ARTIFACT["bytecode"][2:])
ONE_ETHER = 10**18


class EnclaveKeySigner:
    """A TxSigner over the enclave's secp256k1 key material (what the keys service uses)."""

    key_type = KeyType.SECP256K1

    def __init__(self) -> None:
        self.key = PrivateKey.generate(KeyType.SECP256K1)

    @property
    def public_key(self) -> bytes:
        return self.key.public_key

    async def sign(self, message: bytes, algorithm: SignAlgorithm) -> bytes:
        return self.key.sign(message, algorithm)


def make_chain(urls: list[str], **overrides: Any) -> NeoXChain:
    options = {**neo_x_overrides(urls[0]), "endpoints": urls, "timeout_s": 2.0, **overrides}
    settings = NeoXSettings.model_validate(options)
    return NeoXChain(settings, urls, Metrics("t", "test"), SystemClock())


@pytest.fixture
def url(dev_chains: DevChainsHandle) -> str:
    return dev_chains.neo_x_url


@pytest.fixture
async def chain(dev_chains: DevChainsHandle) -> AsyncIterator[NeoXChain]:
    adapter = make_chain([dev_chains.neo_x_url])
    await adapter.start()
    yield adapter
    await adapter.close()


@pytest.fixture
async def signer(chain: NeoXChain, dev_chains: DevChainsHandle) -> EnclaveKeySigner:
    key = EnclaveKeySigner()
    await dev_chains.fund("neo-x", chain.address_of(key.public_key), 10 * ONE_ETHER)
    return key


async def deploy_probe(chain: NeoXChain, signer: EnclaveKeySigner) -> str:
    outcome = await chain.deploy(Deployment(code=BYTECODE, abi=ABI, args=["probe"]), signer)
    assert outcome.state == "HALT", outcome.exception
    assert outcome.contract is not None
    return outcome.contract


def store(contract: str, key: int, amount: int, note: str) -> ContractCall:
    return ContractCall(contract, "store", [key, amount, note], ABI)


async def test_deploy_then_invoke_decodes_events_and_charges_the_fee(
    url: str, chain: NeoXChain, signer: EnclaveKeySigner
) -> None:
    sender = chain.address_of(signer.public_key)
    before = await chain.balance(sender)
    deployed = await chain.deploy(Deployment(code=BYTECODE, abi=ABI, args=["probe"]), signer)
    assert deployed.state == "HALT" and deployed.contract is not None
    info = await chain.contract_info(deployed.contract)
    code = bytes.fromhex((await node_rpc(url, "eth_getCode", deployed.contract))[2:])
    assert info["size"] == len(code) > 0
    assert info["code_hash"] == "0x" + keccak(code).hex()

    outcome = await chain.invoke(store(deployed.contract, 7, 1234, "first note"), signer)
    assert outcome.state == "HALT" and outcome.exception is None
    [event] = outcome.events
    assert (event.name, event.contract, event.tx_hash) == (
        "Stored",
        deployed.contract,
        outcome.tx_hash,
    )
    assert event.args == {"setter": sender, "key": "7", "amount": "1234", "note": "first note"}
    assert event.block_number == outcome.block_number and event.block_hash == outcome.block_hash

    after = await chain.balance(sender)
    assert before - after == deployed.fee + outcome.fee
    assert outcome.fee == outcome.gas_consumed * await effective_price(url, outcome)


async def effective_price(url: str, outcome: TxOutcome) -> int:
    receipt = await node_rpc(url, "eth_getTransactionReceipt", outcome.tx_hash)
    return int(receipt["effectiveGasPrice"], 16)


async def test_the_sender_eth_account_recovers_from_the_mined_transaction_is_the_signer(
    url: str, chain: NeoXChain, signer: EnclaveKeySigner
) -> None:
    contract = await deploy_probe(chain, signer)
    outcome = await chain.invoke(ContractCall(contract, "touch", [], ABI), signer)
    mined = await node_rpc(url, "eth_getTransactionByHash", outcome.tx_hash)
    fields = {
        key: mined[key]
        for key in (
            "type",
            "chainId",
            "nonce",
            "maxPriorityFeePerGas",
            "maxFeePerGas",
            "gas",
            "to",
            "value",
            "accessList",
            "r",
            "s",
        )
    }
    fields["to"] = to_checksum_address(mined["to"])
    fields["data"] = mined["input"]
    fields["v"] = mined.get("yParity", mined["v"])
    raw = TypedTransaction.from_dict(fields).encode()  # eth-account's own serialisation
    assert "0x" + keccak(raw).hex() == outcome.tx_hash
    assert Account.recover_transaction(raw) == chain.address_of(signer.public_key)
    assert int(mined["chainId"], 16) == NEO_X_CHAIN_ID


async def test_send_raw_accepts_a_transaction_signed_elsewhere(
    url: str, chain: NeoXChain, signer: EnclaveKeySigner
) -> None:
    sender = chain.address_of(signer.public_key)
    recipient = "0x" + "5A" * 20
    nonce = int(await node_rpc(url, "eth_getTransactionCount", sender, "pending"), 16)
    fees = await chain.transactor.fees()
    tx = Eip1559Transaction(
        NEO_X_CHAIN_ID, nonce, fees.tip, fees.max_fee, 21_000, bytes.fromhex("5a" * 20), 777, b""
    )
    raw = await sign_transaction(
        tx, lambda digest: signer.sign(digest, SignAlgorithm.ECDSA_RECOVERABLE)
    )
    assert Account.recover_transaction(raw) == sender
    outcome = await chain.send_raw(raw)
    assert outcome.state == "HALT" and outcome.gas_consumed == 21_000
    assert await chain.balance(recipient.lower()) >= 777


async def test_a_transaction_that_reverts_on_chain_is_a_fault_with_its_reason(
    chain: NeoXChain, signer: EnclaveKeySigner, dev_chains: DevChainsHandle
) -> None:
    """Two stores of one key in one block: both pass estimation on ``latest``; the second
    reverts when mined, and the replay names the reason."""
    contract = await deploy_probe(chain, signer)
    sender = chain.address_of(signer.public_key)
    url = dev_chains.neo_x_url

    async def pending() -> int:
        return int(await node_rpc(url, "eth_getTransactionCount", sender, "pending"), 16)

    start = await pending()
    await node_rpc(url, "evm_setAutomine", False)
    try:
        first = asyncio.create_task(chain.invoke(store(contract, 5, 10, "a"), signer))
        await eventually(lambda: _at_least(pending(), start + 1))
        second = asyncio.create_task(chain.invoke(store(contract, 5, 20, "b"), signer))
        await eventually(lambda: _at_least(pending(), start + 2))
        await node_rpc(url, "evm_mine")
        won, lost = await first, await second
    finally:
        await node_rpc(url, "evm_setAutomine", True)
    assert won.state == "HALT" and lost.block_number == won.block_number
    assert lost.state == "FAULT" and lost.exception == "key already set"
    assert lost.events == [] and lost.fee > 0 and lost.gas_consumed > 0
    value = await chain.call(ContractCall(contract, "get", [5], ABI))
    assert value.result[0].value == "10"


async def _at_least(count: Any, target: int) -> bool:
    return bool(await count >= target)


async def test_a_call_that_reverts_in_estimation_is_refused_before_signing(
    url: str, chain: NeoXChain, signer: EnclaveKeySigner
) -> None:
    contract = await deploy_probe(chain, signer)
    sender = chain.address_of(signer.public_key)
    nonce = await node_rpc(url, "eth_getTransactionCount", sender, "pending")
    with pytest.raises(ChainRejected) as refused:
        await chain.invoke(store(contract, 1, 0, "zero"), signer)
    assert refused.value.code == "chain.reverted"
    assert refused.value.extra["reason"] == "amount must be non-zero"
    assert await node_rpc(url, "eth_getTransactionCount", sender, "pending") == nonce


async def test_call_returns_typed_values_and_a_revert_as_fault(
    chain: NeoXChain, signer: EnclaveKeySigner
) -> None:
    contract = await deploy_probe(chain, signer)
    label = await chain.call(ContractCall(contract, "label", [], ABI))
    assert (label.state, [i.to_json() for i in label.result]) == (
        "HALT",
        [{"type": "string", "value": "probe"}],
    )
    who = chain.address_of(signer.public_key)
    mixed = await chain.call(
        ContractCall(contract, "mixed", ["-5", "0x" + "ab" * 32, True, "0x6869", who.lower()], ABI)
    )
    assert [(i.type, i.value) for i in mixed.result] == [
        ("int256", "5"),
        ("bytes32", "0x" + "ab" * 32),
        ("bool", False),
        ("bytes", "0x6869"),
        ("address", who),
        ("string", "probe"),
    ]
    assert mixed.result[3].text == "hi"
    missing = await chain.call(ContractCall(contract, "get", [99], ABI))
    assert (missing.state, missing.result, missing.exception) == ("FAULT", [], "unknown key")


async def test_estimate_prices_a_call_and_reports_a_revert_as_fault(
    chain: NeoXChain, signer: EnclaveKeySigner
) -> None:
    contract = await deploy_probe(chain, signer)
    estimate = await chain.estimate(store(contract, 3, 9, "x"), signer.public_key)
    assert estimate.state == "HALT" and estimate.gas_consumed > 21_000
    assert estimate.details["gas_limit"] >= estimate.gas_consumed
    assert estimate.total_fee == estimate.details["gas_limit"] * estimate.details["max_fee_per_gas"]
    outcome = await chain.invoke(store(contract, 3, 9, "x"), signer)
    assert outcome.gas_consumed <= estimate.details["gas_limit"]

    reverted = await chain.estimate(store(contract, 4, 0, "x"), signer.public_key)
    assert (reverted.state, reverted.exception) == ("FAULT", "amount must be non-zero")


async def test_events_by_block_range_and_by_name(
    chain: NeoXChain, signer: EnclaveKeySigner
) -> None:
    contract = await deploy_probe(chain, signer)
    stored = await chain.invoke(store(contract, 11, 1, "one"), signer)
    touched = await chain.invoke(ContractCall(contract, "touch", [], ABI), signer)
    later = await chain.invoke(store(contract, 12, 2, "two"), signer)

    every = await chain.events(contract, stored.block_number, later.block_number, abi=ABI)
    assert [(e.name, e.tx_hash) for e in every] == [
        ("Stored", stored.tx_hash),
        ("Touched", touched.tx_hash),
        ("Stored", later.tx_hash),
    ]
    assert every[1].args == {"by": chain.address_of(signer.public_key), "count": "1"}
    only = await chain.events(
        contract, stored.block_number, later.block_number, names=["Stored"], abi=ABI
    )
    assert [e.args["key"] for e in only] == ["11", "12"]
    first_two = await chain.events(contract, stored.block_number, touched.block_number, abi=ABI)
    assert [e.name for e in first_two] == ["Stored", "Touched"]
    raw = await chain.events(contract, touched.block_number, touched.block_number)
    assert raw[0].name == "0x" + keccak(b"Touched(address,uint256)").hex()
    with pytest.raises(ValidationFailed) as unknown:
        await chain.events(contract, 0, 1, names=["Nope"], abi=ABI)
    assert unknown.value.fields[0].field == "names[0]"


async def test_concurrent_invokes_from_one_key_take_distinct_nonces(
    chain: NeoXChain, signer: EnclaveKeySigner
) -> None:
    contract = await deploy_probe(chain, signer)
    touch = ContractCall(contract, "touch", [], ABI)
    outcomes = await asyncio.gather(*(chain.invoke(touch, signer) for _ in range(6)))
    assert {o.state for o in outcomes} == {"HALT"}
    assert len({o.tx_hash for o in outcomes}) == 6
    count = await chain.call(ContractCall(contract, "touches", [], ABI))
    assert count.result[0].value == "6"


@pytest.mark.parametrize(
    ("code", "abi", "field"),
    [
        ("0x60zz", ABI, "bytecode"),
        ("0x600", ABI, "bytecode"),
        (b"", ABI, "bytecode"),
        (b"\xef\x00\x01", ABI, "bytecode"),
        (BYTECODE, {"not": "a list"}, "abi"),
        (BYTECODE, [{"type": "function", "name": "f", "inputs": [{"type": "uint7"}]}], "abi"),
    ],
)
async def test_malformed_deployments_are_refused_before_anything_is_sent(
    url: str, chain: NeoXChain, signer: EnclaveKeySigner, code: Any, abi: Any, field: str
) -> None:
    sender = chain.address_of(signer.public_key)
    nonce = await node_rpc(url, "eth_getTransactionCount", sender, "pending")
    with pytest.raises(ValidationFailed) as refused:
        await chain.deploy(Deployment(code=code, abi=abi, args=["x"]), signer)
    assert refused.value.fields[0].field.split("[")[0].split(".")[0] == field
    assert await node_rpc(url, "eth_getTransactionCount", sender, "pending") == nonce


async def test_max_gas_refuses_an_expensive_transaction(
    dev_chains: DevChainsHandle, chain: NeoXChain, signer: EnclaveKeySigner
) -> None:
    contract = await deploy_probe(chain, signer)
    tight = make_chain([dev_chains.neo_x_url], max_gas=30_000)
    try:
        with pytest.raises(ChainRejected) as refused:
            await tight.invoke(store(contract, 21, 1, "x"), signer)
        assert refused.value.code == "chain.gas_limit"
    finally:
        await tight.close()


async def test_a_dead_endpoint_first_still_works_and_all_dead_is_unavailable(
    dev_chains: DevChainsHandle,
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    failover = make_chain([dead, dev_chains.neo_x_url])
    try:
        await failover.start()
        assert await failover.height() >= 1
        assert (await failover.status()).network_id == NEO_X_CHAIN_ID
        [down, up] = failover.endpoint_statuses()
        assert down.failures >= 1 and down.last_error is not None and up.failures == 0
    finally:
        await failover.close()

    nothing = make_chain([dead, f"http://127.0.0.1:{free_port()}"])
    try:
        await nothing.start()  # unreachable at start: verified on first use instead
        with pytest.raises(ChainUnavailable):
            await nothing.height()
    finally:
        await nothing.close()


async def test_a_node_on_another_chain_id_is_refused(dev_chains: DevChainsHandle) -> None:
    wrong = make_chain([dev_chains.neo_x_url], network_id=NEO_X_CHAIN_ID + 1)
    try:
        with pytest.raises(SettingsError):
            await wrong.start()
        with pytest.raises(ChainUnavailable):
            await wrong.status()
    finally:
        await wrong.close()


async def test_addresses_are_checked_and_spelled_per_eip55(chain: NeoXChain) -> None:
    key = EnclaveKeySigner()
    assert chain.address_of(key.public_key) == Account.from_key(key.key.secret).address
    valid = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55's own example
    assert chain.validate_address(valid.lower(), "to") == valid
    assert chain.validate_address(valid, "to") == valid
    with pytest.raises(ValidationFailed) as bad:
        chain.validate_address("0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "to")
    assert (bad.value.fields[0].field, bad.value.fields[0].rule) == ("to", "eip55_checksum")
    with pytest.raises(ValidationFailed):
        chain.validate_address("0x1234", "to")
