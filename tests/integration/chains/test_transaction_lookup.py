"""A transaction looked up by hash on the real dev chains gives what invoke/deploy reported
(HALT and FAULT, events, fee, a deployment's contract); None for a hash no node knows; and
each chain's validity rule (Neo N3 valid-until block, Neo X nonce)."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from neo_n3_harness import GAS, PROBE_MANIFEST, PROBE_NEF
from tests.chain_helpers import node_rpc
from tests.devchains import NEO_N3_MAGIC, DevChainsHandle, neo_x_overrides
from tests.polling import eventually

from nsl.chains.neo_n3.adapter import NeoN3Chain
from nsl.chains.neo_x.adapter import NeoXChain
from nsl.core.chain import ChainTimeout, ContractCall, Deployment, TxOutcome, Validity
from nsl.core.clock import SystemClock
from nsl.core.enclave import KeyType, SignAlgorithm
from nsl.core.errors import ValidationFailed
from nsl.core.metrics import Metrics
from nsl.core.settings import NeoN3Settings, NeoXSettings
from nsl.enclave.material import PrivateKey

PROBE_X = json.loads((Path(__file__).parents[2] / "fixtures/neo_x/Probe.json").read_text())
ABI: list[dict[str, Any]] = PROBE_X["abi"]
ETHER = 10**18


class KeySigner:
    """A TxSigner over enclave key material of ``key_type``."""

    def __init__(self, key_type: KeyType) -> None:
        self.key_type = key_type
        self.key = PrivateKey.generate(key_type)

    @property
    def public_key(self) -> bytes:
        return self.key.public_key

    async def sign(self, message: bytes, algorithm: SignAlgorithm) -> bytes:
        return self.key.sign(message, algorithm)


@pytest.fixture
async def n3(dev_chains: DevChainsHandle, metrics: Metrics) -> AsyncIterator[NeoN3Chain]:
    settings = NeoN3Settings(network="local", network_id=NEO_N3_MAGIC)
    chain = NeoN3Chain(settings, [dev_chains.neo_n3_url], metrics, SystemClock())
    await chain.start()
    yield chain
    await chain.close()


@pytest.fixture
async def nx(dev_chains: DevChainsHandle, metrics: Metrics) -> AsyncIterator[NeoXChain]:
    settings = NeoXSettings.model_validate(neo_x_overrides(dev_chains.neo_x_url))
    chain = NeoXChain(settings, [dev_chains.neo_x_url], metrics, SystemClock())
    await chain.start()
    yield chain
    await chain.close()


async def funded(chain: Any, dev_chains: DevChainsHandle, key_type: KeyType) -> KeySigner:
    signer = KeySigner(key_type)
    amount = 1000 * GAS if key_type is KeyType.SECP256R1 else 10 * ETHER
    await dev_chains.fund(chain.name, chain.address_of(signer.public_key), amount)
    return signer


def unknown_hash() -> str:
    return "0x" + secrets.token_hex(32)


async def test_neo_n3_lookup_gives_what_deploy_and_invoke_reported(
    n3: NeoN3Chain, dev_chains: DevChainsHandle
) -> None:
    signer = await funded(n3, dev_chains, KeyType.SECP256R1)
    deployed = await n3.deploy(Deployment(PROBE_NEF, PROBE_MANIFEST), signer)
    assert deployed.state == "HALT" and deployed.contract is not None
    halted = await n3.invoke(ContractCall(deployed.contract, "put", ["color", 42]), signer)
    faulted = await n3.invoke(ContractCall(deployed.contract, "fail_on_chain", []), signer)
    assert [o.state for o in (halted, faulted)] == ["HALT", "FAULT"]
    for outcome in (deployed, halted, faulted):
        assert await n3.transaction(outcome.tx_hash) == outcome
    raw = await node_rpc(dev_chains.neo_n3_url, "getrawtransaction", halted.tx_hash, True)
    assert halted.fee == int(raw["sysfee"]) + int(raw["netfee"])
    assert [e.name for e in halted.events] == ["Stored", "Touched"]
    assert faulted.exception is not None and "fails when persisted" in faulted.exception


async def test_neo_n3_unknown_or_malformed_hashes(n3: NeoN3Chain) -> None:
    assert await n3.transaction(unknown_hash()) is None
    with pytest.raises(ValidationFailed):
        await n3.transaction("0x1234")


async def test_neo_n3_validity_ends_once_the_chain_holds_its_valid_until_block(
    n3: NeoN3Chain,
) -> None:
    height = await n3.height()
    assert await n3.expired(Validity(valid_until_block=height))
    assert not await n3.expired(Validity(valid_until_block=height + 1000))
    assert not await n3.expired(Validity())


async def test_a_neo_n3_send_not_seen_in_time_names_its_valid_until_block(
    n3: NeoN3Chain, dev_chains: DevChainsHandle
) -> None:
    signer = await funded(n3, dev_chains, KeyType.SECP256R1)
    deployed = await n3.deploy(Deployment(PROBE_NEF, PROBE_MANIFEST), signer)
    assert deployed.contract is not None
    timeout: ChainTimeout | None = None
    for attempt in range(10):  # a block may beat even a microsecond wait; rarely ten times
        try:
            await n3.invoke(
                ContractCall(deployed.contract, "put", ["k", attempt]), signer, timeout_s=1e-6
            )
        except ChainTimeout as exc:
            timeout = exc
            break
    assert timeout is not None, "every send was seen in a block at once"
    tx_hash = timeout.extra["tx_hash"]
    found: list[TxOutcome] = []

    async def landed() -> bool:
        outcome = await n3.transaction(tx_hash)
        found.extend([outcome] if outcome else [])
        return outcome is not None

    await eventually(landed, within=30, interval=0.05)
    raw = await node_rpc(dev_chains.neo_n3_url, "getrawtransaction", tx_hash, True)
    assert timeout.extra["valid_until_block"] == raw["validuntilblock"] > found[0].block_number
    assert found[0].state == "HALT"


async def test_neo_x_lookup_gives_what_deploy_and_invoke_reported(
    nx: NeoXChain, dev_chains: DevChainsHandle
) -> None:
    signer = await funded(nx, dev_chains, KeyType.SECP256K1)
    code = bytes.fromhex(PROBE_X["bytecode"][2:])
    deployed = await nx.deploy(Deployment(code=code, abi=ABI, args=["probe"]), signer)
    assert deployed.contract is not None
    won, lost = await _two_stores_in_one_block(nx, signer, deployed.contract, dev_chains)
    assert (won.state, lost.state, lost.exception) == ("HALT", "FAULT", "key already set")
    for outcome in (deployed, won, lost):
        assert await nx.transaction(outcome.tx_hash, abi=ABI) == outcome
    raw = await nx.transaction(won.tx_hash)  # without the ABI: the log as it is
    assert raw is not None and raw.events[0].args["topics"][0] == raw.events[0].name
    assert won.events[0].name == "Stored" and won.events[0].args["note"] == "a"


async def _two_stores_in_one_block(
    nx: NeoXChain, signer: KeySigner, contract: str, dev_chains: DevChainsHandle
) -> tuple[TxOutcome, TxOutcome]:
    """Both pass estimation on ``latest``; the second reverts when mined (key already set)."""
    url, sender = dev_chains.neo_x_url, nx.address_of(signer.public_key)

    async def pending_at_least(target: int) -> bool:
        return int(await node_rpc(url, "eth_getTransactionCount", sender, "pending"), 16) >= target

    start = int(await node_rpc(url, "eth_getTransactionCount", sender, "pending"), 16)
    await node_rpc(url, "evm_setAutomine", False)
    try:
        calls = [
            ContractCall(contract, "store", [9, n, note], ABI) for n, note in ((1, "a"), (2, "b"))
        ]
        first = asyncio.create_task(nx.invoke(calls[0], signer))
        await eventually(lambda: pending_at_least(start + 1))
        second = asyncio.create_task(nx.invoke(calls[1], signer))
        await eventually(lambda: pending_at_least(start + 2))
        await node_rpc(url, "evm_mine")
        return await first, await second
    finally:
        await node_rpc(url, "evm_setAutomine", True)


async def test_neo_x_unknown_or_malformed_hashes(nx: NeoXChain) -> None:
    assert await nx.transaction(unknown_hash()) is None
    with pytest.raises(ValidationFailed):
        await nx.transaction("0xzz")


async def test_neo_x_validity_ends_when_the_sender_used_the_nonce(
    nx: NeoXChain, dev_chains: DevChainsHandle
) -> None:
    signer = await funded(nx, dev_chains, KeyType.SECP256K1)
    code = bytes.fromhex(PROBE_X["bytecode"][2:])
    await nx.deploy(Deployment(code=code, abi=ABI, args=["probe"]), signer)  # nonce 0 used
    sender = nx.address_of(signer.public_key)
    assert await nx.expired(Validity(sender=sender, nonce=0))
    assert not await nx.expired(Validity(sender=sender, nonce=1))
    assert not await nx.expired(Validity(nonce=0))
