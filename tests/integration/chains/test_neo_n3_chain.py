"""The Neo N3 chain adapter against a real neo-go dev node: deploy, invoke, call, estimate,
events, FAULTs, witnesses checked with neo-mamba, and what is refused before anything is sent."""

from __future__ import annotations

import base64
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from neo3.contracts.utils import create_signature_redeemscript
from neo3.core import cryptography as neo_crypto
from neo3.core import types
from neo3.network.payloads.transaction import Transaction
from neo3.wallet import utils as wallet_utils
from neo_n3_harness import GAS, PROBE_MANIFEST, PROBE_NEF
from tests.chain_helpers import EnclaveSigner, node_rpc
from tests.devchains import NEO_N3_MAGIC
from tests.devchains import DevChainsHandle as DevChains

from nsl.chains.devnet.neo_go import NeoGoNode
from nsl.chains.devnet.process import free_port
from nsl.chains.neo_n3.adapter import NeoN3Chain
from nsl.core.chain import ChainRejected, ChainUnavailable, ContractCall, Deployment, TxOutcome
from nsl.core.clock import ManualClock, SystemClock
from nsl.core.enclave import KeyType
from nsl.core.errors import NotFound, PayloadTooLarge, SettingsError, ValidationFailed
from nsl.core.metrics import Metrics
from nsl.core.settings import DatabaseSettings, NeoN3Settings, Settings
from nsl.db.engine import Database
from nsl.db.migrate import upgrade
from nsl.enclave.software import SoftwareEnclave


@pytest.fixture
async def enclave(tmp_path: Path, metrics: Metrics) -> AsyncIterator[SoftwareEnclave]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nsl.db'}"
    await upgrade(url)
    database = Database(url, DatabaseSettings(pool_min=1, pool_max=2), metrics)
    provider = SoftwareEnclave(
        Settings(env="test", data_dir=tmp_path / "var"), database, ManualClock()
    )
    await provider.start()
    yield provider
    await provider.close()
    await database.dispose()


def n3_settings(**changes: object) -> NeoN3Settings:
    return NeoN3Settings(network="local", network_id=NEO_N3_MAGIC, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def chain(dev_chains: DevChains, metrics: Metrics) -> AsyncIterator[NeoN3Chain]:
    adapter = NeoN3Chain(n3_settings(), [dev_chains.neo_n3_url], metrics, SystemClock())
    await adapter.start()
    yield adapter
    await adapter.close()


async def new_signer(enclave: SoftwareEnclave) -> EnclaveSigner:
    return EnclaveSigner(enclave, await enclave.generate_key(KeyType.SECP256R1, purpose="test"))


@pytest.fixture
async def signer(
    enclave: SoftwareEnclave, chain: NeoN3Chain, dev_chains: DevChains
) -> EnclaveSigner:
    """A fresh enclave key holding 1000 GAS."""
    key = await new_signer(enclave)
    await dev_chains.fund("neo-n3", chain.address_of(key.public_key), 1000 * GAS)
    return key


@pytest.fixture
async def probe(chain: NeoN3Chain, signer: EnclaveSigner) -> str:
    """The probe contract deployed by ``signer``; its hash."""
    outcome = await chain.deploy(Deployment(PROBE_NEF, PROBE_MANIFEST), signer)
    assert outcome.state == "HALT", outcome.exception
    assert outcome.contract is not None
    return outcome.contract


async def test_deploy_returns_the_hash_the_node_gives_the_contract(
    chain: NeoN3Chain, signer: EnclaveSigner
) -> None:
    outcome = await chain.deploy(Deployment(PROBE_NEF, PROBE_MANIFEST), signer)
    assert outcome.state == "HALT"
    assert outcome.contract is not None
    state = await node_rpc(chain_url(chain), "getcontractstate", outcome.contract)
    assert state["hash"] == outcome.contract
    assert state["manifest"]["name"] == "NslProbe"
    info = await chain.contract_info(outcome.contract)
    assert info["name"] == "NslProbe"
    assert info["update_counter"] == 0
    assert info["nef_checksum"] == int.from_bytes(PROBE_NEF[-4:], "little")
    deploy_events = [e for e in outcome.events if e.name == "Deploy"]
    assert [e.args for e in deploy_events] == [{"Hash": outcome.contract}]


async def test_invoke_halts_with_events_named_from_the_manifest(
    chain: NeoN3Chain, signer: EnclaveSigner, probe: str
) -> None:
    before = await chain.balance(chain.address_of(signer.public_key))
    outcome = await chain.invoke(ContractCall(probe, "put", ["color", 42]), signer)
    assert outcome.state == "HALT"
    assert [item.to_json() for item in outcome.result] == [{"type": "Boolean", "value": True}]
    sender = (
        "0x"
        + wallet_utils.address_to_script_hash(chain.address_of(signer.public_key))
        .to_array()[::-1]
        .hex()
    )
    assert [(e.name, e.args) for e in outcome.events] == [
        ("Stored", {"key": "color", "value": "42", "by": sender}),
        ("Touched", {"count": "1"}),
    ]
    assert {e.tx_hash for e in outcome.events} == {outcome.tx_hash}
    assert outcome.events[1].index == outcome.events[0].index + 1
    block = await chain.block(outcome.block_number)
    assert block.hash == outcome.block_hash
    after = await chain.balance(chain.address_of(signer.public_key))
    assert before - after == outcome.fee  # system + network fee, nothing else
    read = await chain.call(ContractCall(probe, "get", ["color"]))
    assert (read.state, read.result[0].value) == ("HALT", "42")


async def test_the_witness_signature_verifies_with_neo_mamba(
    chain: NeoN3Chain, signer: EnclaveSigner, probe: str
) -> None:
    outcome = await chain.invoke(ContractCall(probe, "put", ["k", 1]), signer)
    raw = base64.b64decode(await node_rpc(chain_url(chain), "getrawtransaction", outcome.tx_hash))
    tx = Transaction.deserialize_from_bytes(raw)
    assert "0x" + str(tx.hash()) == outcome.tx_hash
    point = neo_crypto.ECPoint.deserialize_from_bytes(signer.public_key)
    (witness,) = tx.witnesses
    assert witness.verification_script == create_signature_redeemscript(point)
    assert tx.sender == wallet_utils.public_key_to_script_hash(point)
    signature = witness.invocation_script[2:]  # PUSHDATA1 64 <r ‖ s>
    message = NEO_N3_MAGIC.to_bytes(4, "little") + tx.hash().to_array()
    assert neo_crypto.verify_signature(message, signature, signer.public_key)
    assert not neo_crypto.verify_signature(message[:-1] + b"\x00", signature, signer.public_key)
    assert signer.signed[-1] == message  # the enclave signed exactly that


async def test_a_call_that_faults_in_the_test_run_is_not_sent(
    chain: NeoN3Chain, signer: EnclaveSigner, probe: str
) -> None:
    address = chain.address_of(signer.public_key)
    before, signatures = await chain.balance(address), len(signer.signed)
    with pytest.raises(ChainRejected) as refused:
        await chain.invoke(ContractCall(probe, "fail", ["out of coffee"]), signer)
    assert refused.value.code == "chain.fault"
    assert "out of coffee" in refused.value.extra["exception"]
    assert len(signer.signed) == signatures  # never signed, never sent
    assert await chain.balance(address) == before
    read = await chain.call(ContractCall(probe, "fail", ["out of coffee"]))
    assert read.state == "FAULT"
    assert read.exception is not None and "out of coffee" in read.exception


async def test_a_fault_in_the_block_is_an_outcome_with_the_vm_message(
    chain: NeoN3Chain, signer: EnclaveSigner, probe: str
) -> None:
    address = chain.address_of(signer.public_key)
    before = await chain.balance(address)
    outcome = await chain.invoke(ContractCall(probe, "fail_on_chain", []), signer)
    assert outcome.state == "FAULT"
    assert outcome.exception is not None and "fails when persisted" in outcome.exception
    assert outcome.events == []  # a FAULT's notifications never happened
    assert before - await chain.balance(address) == outcome.fee  # the fee is still spent
    log = await node_rpc(chain_url(chain), "getapplicationlog", outcome.tx_hash)
    assert log["executions"][0]["vmstate"] == "FAULT"


async def test_estimate_is_what_the_invocation_then_costs(
    chain: NeoN3Chain, signer: EnclaveSigner, probe: str
) -> None:
    call = ContractCall(probe, "put", ["size", 7])
    estimate = await chain.estimate(call, signer.public_key)
    assert estimate.state == "HALT"
    assert estimate.details["system_fee"] == estimate.gas_consumed > 0
    assert estimate.details["network_fee"] > 0
    outcome = await chain.invoke(call, signer)
    assert outcome.fee == estimate.total_fee
    faulty = await chain.estimate(ContractCall(probe, "fail", ["x"]), signer.public_key)
    assert faulty.state == "FAULT"
    assert faulty.exception is not None and '"x"' in faulty.exception


async def test_call_converts_arguments_and_the_result_stack(chain: NeoN3Chain, probe: str) -> None:
    greeting = await chain.call(ContractCall(probe, "greet", ["Neo"]))
    assert greeting.result[0].to_json() == {
        "type": "ByteString",
        "value": b"hello Neo".hex(),
        "text": "hello Neo",
    }
    assert greeting.gas_consumed > 0
    hash160 = "0x" + "ab" * 19 + "01"
    typed = [
        {"type": "Hash160", "value": hash160},
        {"type": "ByteArray", "value": "00ff"},
        {"type": "Integer", "value": "-5"},
        [True, None, "x"],
    ]
    echoed = await chain.call(ContractCall(probe, "echo", [typed]))
    assert echoed.state == "HALT"
    items = echoed.result[0].value
    assert items[0] == {"type": "ByteString", "value": bytes.fromhex(hash160[2:])[::-1].hex()}
    assert items[1] == {"type": "ByteString", "value": "00ff"}
    assert items[2] == {"type": "Integer", "value": "-5"}
    assert items[3]["value"] == [
        {"type": "Boolean", "value": True},
        {"type": "Any", "value": None},
        {"type": "ByteString", "value": "78", "text": "x"},
    ]
    with pytest.raises(ValidationFailed) as bad:
        await chain.call(ContractCall(probe, "echo", [{"type": "Hash160", "value": "0x12"}]))
    assert bad.value.fields[0].field == "args[0].value"


async def test_events_in_a_range_filtered_by_name_with_stable_ids(
    chain: NeoN3Chain, signer: EnclaveSigner, probe: str
) -> None:
    first = await chain.invoke(ContractCall(probe, "put", ["a", 1]), signer)
    second = await chain.invoke(ContractCall(probe, "put", ["b", 2]), signer)
    start, end = first.block_number, second.block_number
    stored = await chain.events(probe, start, end, names=["Stored"])
    assert [(e.args["key"], e.args["value"]) for e in stored] == [("a", "1"), ("b", "2")]
    assert [e.tx_hash for e in stored] == [first.tx_hash, second.tx_hash]
    assert all(e.contract == probe and e.name == "Stored" for e in stored)
    touched = await chain.events(probe, start, end, names=["Touched"])
    assert [e.args for e in touched] == [{"count": "1"}, {"count": "2"}]
    everything = await chain.events(None, start, end)
    assert {e.name for e in everything} >= {"Stored", "Touched", "Transfer"}  # GAS fees too
    again = await chain.events(probe, start, end, names=["Stored"])
    assert [e.event_id for e in again] == [e.event_id for e in stored]
    assert stored[0].event_id == first.events[0].event_id  # same id as in the outcome
    with pytest.raises(ValidationFailed):
        await chain.events(probe, end, start)
    with pytest.raises(ValidationFailed):
        await chain.events(probe, 0, await chain.height() + 10)


async def test_malformed_nef_or_manifest_is_refused_before_anything_is_sent(
    chain: NeoN3Chain, signer: EnclaveSigner
) -> None:
    address = chain.address_of(signer.public_key)
    before = await chain.balance(address)
    broken_checksum = PROBE_NEF[:-1] + bytes([PROBE_NEF[-1] ^ 1])
    cases = [
        (Deployment(broken_checksum, PROBE_MANIFEST), "nef", "checksum"),
        (Deployment(b"NEF4" + PROBE_NEF[4:], PROBE_MANIFEST), "nef", "magic"),
        (Deployment(PROBE_NEF[:40], PROBE_MANIFEST), "nef", "malformed"),
        (Deployment(PROBE_NEF, {"name": "x"}), "manifest", "invalid"),
        (Deployment(PROBE_NEF, {**PROBE_MANIFEST, "name": " "}), "manifest", "name"),
    ]
    for deployment, field, words in cases:
        with pytest.raises(ValidationFailed) as refused:
            await chain.deploy(deployment, signer)
        assert refused.value.fields[0].field == field
        assert words in refused.value.detail
    assert signer.signed == []
    assert await chain.balance(address) == before


async def test_limits_from_settings_refuse_before_signing(
    dev_chains: DevChains, metrics: Metrics, signer: EnclaveSigner, probe: str
) -> None:
    strict = NeoN3Chain(
        n3_settings(max_gas=10**6, max_contract_bytes=1000),
        [dev_chains.neo_n3_url],
        metrics,
        SystemClock(),
    )
    signed = len(signer.signed)
    try:
        with pytest.raises(ChainRejected) as costly:
            await strict.invoke(ContractCall(probe, "put", ["z", 1]), signer)
        assert costly.value.code == "chain.gas_limit"
        with pytest.raises(PayloadTooLarge) as large:
            await strict.deploy(Deployment(PROBE_NEF, PROBE_MANIFEST), signer)
        assert large.value.fields[0].field == "nef"
    finally:
        await strict.close()
    assert len(signer.signed) == signed


async def test_send_raw_relays_a_transaction_signed_elsewhere(
    chain: NeoN3Chain, signer: EnclaveSigner, probe: str
) -> None:
    from nsl.chains.neo_n3 import params, txbuild
    from nsl.chains.neo_n3.accounts import verification_script
    from nsl.core.enclave import SignAlgorithm

    client = chain.session.pool.clients[0]
    script = params.call_script(params.hash160(probe, "contract"), "put", ["raw", 5])
    run = await txbuild.dry_run(client, script, None)
    draft = await txbuild.draft(
        client,
        script,
        verification_script(signer.public_key),
        system_fee=run.gas_consumed,
        valid_for_blocks=50,
    )

    async def sign(message: bytes) -> bytes:
        return await signer.sign(message, SignAlgorithm.ECDSA_SHA256)

    raw = await txbuild.sign(draft, NEO_N3_MAGIC, sign)
    outcome: TxOutcome = await chain.send_raw(raw)
    assert outcome.state == "HALT"
    assert outcome.fee == draft.fee
    assert [e.name for e in outcome.events] == ["Stored", "Touched"]
    with pytest.raises(ValidationFailed) as garbage:
        await chain.send_raw(b"\x00\x01\x02")
    assert garbage.value.fields[0].field == "transaction"
    with pytest.raises(ValidationFailed) as unsigned:
        await chain.send_raw(draft.unsigned())
    assert unsigned.value.fields[0].rule == "signed"


async def test_addresses_blocks_and_balances(chain: NeoN3Chain, signer: EnclaveSigner) -> None:
    point = neo_crypto.ECPoint.deserialize_from_bytes(signer.public_key)
    expected = wallet_utils.script_hash_to_address(wallet_utils.public_key_to_script_hash(point))
    address = chain.address_of(signer.public_key)
    assert address == expected
    assert chain.validate_address(address, "to") == address
    script_hash = "0x" + wallet_utils.address_to_script_hash(address).to_array()[::-1].hex()
    assert chain.validate_address(script_hash.upper().replace("0X", "0x"), "to") == script_hash
    assert await chain.balance(script_hash) == await chain.balance(address) == 1000 * GAS
    for bad in ("NotAnAddress", "0x1234", address[:-1] + "1"):
        with pytest.raises(ValidationFailed) as refused:
            chain.validate_address(bad, "to")
        assert refused.value.fields[0].field == "to"
    height = await chain.height()
    head, parent = await chain.block(height), await chain.block(height - 1)
    assert head.parent_hash == parent.hash
    assert head.timestamp >= parent.timestamp > 1_600_000_000
    with pytest.raises(NotFound):
        await chain.block(height + 10_000)
    status = await chain.status()
    assert (status.network_id, status.network) == (NEO_N3_MAGIC, "local")
    assert status.height is not None and status.height >= height
    assert [e.state for e in status.endpoints] == ["closed"]
    with pytest.raises(NotFound):
        await chain.contract_info("0x" + "00" * 20)


def chain_url(chain: NeoN3Chain) -> str:
    url: str = chain.session.pool.clients[0].url
    return url


def dead_endpoint() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there: connection refused


async def test_a_dead_endpoint_first_in_the_list_fails_over_to_the_live_one(
    dev_chains: DevChains, metrics: Metrics, signer: EnclaveSigner, probe: str
) -> None:
    dead = dead_endpoint()
    adapter = NeoN3Chain(
        n3_settings(retries=2, timeout_s=2.0), [dead, dev_chains.neo_n3_url], metrics, SystemClock()
    )
    try:
        await adapter.start()
        assert await adapter.height() > 0
        outcome = await adapter.invoke(ContractCall(probe, "put", ["via", 3]), signer)
        assert outcome.state == "HALT"
        statuses = {s.name: s for s in adapter.endpoint_statuses()}
        assert statuses[dead].failures >= 1 and statuses[dead].last_error
        assert statuses[dev_chains.neo_n3_url].failures == 0
    finally:
        await adapter.close()


async def test_with_every_endpoint_dead_calls_are_unavailable_and_nothing_is_signed(
    metrics: Metrics, signer: EnclaveSigner
) -> None:
    adapter = NeoN3Chain(
        n3_settings(retries=1, timeout_s=1.0),
        [dead_endpoint(), dead_endpoint()],
        metrics,
        SystemClock(),
    )
    signed = len(signer.signed)
    try:
        await adapter.start()  # does not raise: health reports it, calls retry
        with pytest.raises(ChainUnavailable) as down:
            await adapter.height()
        assert down.value.code == "chain.unavailable"
        with pytest.raises(ChainUnavailable):
            await adapter.invoke(ContractCall("0x" + "11" * 20, "put", ["k", 1]), signer)
        status = await adapter.status()
        assert status.height is None
        assert adapter.check().status != "ok"
    finally:
        await adapter.close()
    assert len(signer.signed) == signed


async def test_a_node_on_another_network_is_refused(
    dev_chains: DevChains, metrics: Metrics
) -> None:
    wrong = NeoN3Settings(network="local", network_id=NEO_N3_MAGIC + 1)
    adapter = NeoN3Chain(wrong, [dev_chains.neo_n3_url], metrics, SystemClock())
    try:
        with pytest.raises(SettingsError, match=str(NEO_N3_MAGIC)):
            await adapter.start()
        assert adapter.check().status == "down"
        with pytest.raises(ChainUnavailable):
            await adapter.height()
    finally:
        await adapter.close()
    testnet = NeoN3Chain(
        NeoN3Settings(network="testnet"), [dev_chains.neo_n3_url], metrics, SystemClock()
    )
    try:
        with pytest.raises(SettingsError, match="894710606"):
            await testnet.start()
    finally:
        await testnet.close()


async def test_the_dev_node_keeps_its_chain_and_key_across_a_restart(
    tmp_path: Path, metrics: Metrics
) -> None:
    node = NeoGoNode(tmp_path / "n3", NEO_N3_MAGIC + 7, 50)
    node.start()
    try:
        validator = node.validator.public_key
        key_file = tmp_path / "n3" / "validator.pem"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        secret = node.validator.private_key.private_numbers().private_value.to_bytes(32, "big")
        assert secret.hex() not in repr(node.validator)
        recipient = "0x" + "42" * 20
        address = wallet_utils.script_hash_to_address(
            types.UInt160(bytes.fromhex(recipient[2:])[::-1])
        )
        await node.fund(address, 5 * GAS)
        node.stop()
        assert not node.running
        node.start()
        assert node.validator.public_key == validator
        settings = NeoN3Settings(network="local", network_id=NEO_N3_MAGIC + 7)
        adapter = NeoN3Chain(settings, [node.rpc_url], metrics, SystemClock())
        try:
            assert await adapter.balance(address) == 5 * GAS  # state survived in the bolt DB
            assert await adapter.height() >= 2
        finally:
            await adapter.close()
    finally:
        node.stop()


async def test_nodes_without_getblocknotifications_give_the_same_events(
    chain: NeoN3Chain, signer: EnclaveSigner, probe: str
) -> None:
    first = await chain.invoke(ContractCall(probe, "put", ["p", 1]), signer)
    faulted = await chain.invoke(ContractCall(probe, "fail_on_chain", []), signer)
    log = await node_rpc(chain_url(chain), "getapplicationlog", faulted.tx_hash)
    assert len(log["executions"][0]["notifications"]) == 1  # Touched(-3), then the FAULT
    last = await chain.invoke(ContractCall(probe, "put", ["q", 2]), signer)
    fast = await chain.events(None, first.block_number, last.block_number)
    client = chain.session.pool.clients[0]
    client.features["getblocknotifications"] = False  # as on a node without the method
    slow = await chain.events(None, first.block_number, last.block_number)
    assert slow == fast
    assert [e.args["key"] for e in fast if e.name == "Stored"] == ["p", "q"]
    assert {"count": -3} not in [e.args for e in fast]  # a FAULT's notification is no event
