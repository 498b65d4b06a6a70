"""The platform contracts on both real dev chains, through the Chain adapters: deployed from the
committed artefacts, every transaction and oracle signature made by SoftwareEnclave keys."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_keys.datatypes import PublicKey
from neo3.core import cryptography as neo_crypto
from platform_kit import Kit, open_kit, unchecked_transaction
from tests.chain_helpers import EnclaveSigner

from nsl.chains import reports
from nsl.core.chain import NEO_N3, NEO_X, ChainRejected
from nsl.core.errors import ValidationFailed

pytestmark = pytest.mark.timeout(300)

FEED = "NEO/USD"


@pytest.fixture(params=[NEO_N3, NEO_X])
async def kit(
    request: pytest.FixtureRequest, dev_chains: Any, tmp_path: Path
) -> AsyncIterator[Kit]:
    opened, close = await open_kit(request.param, dev_chains, tmp_path)
    try:
        yield opened
    finally:
        await close()


def event_names(outcome: Any) -> list[str]:
    return [event.name for event in outcome.events]


# --- ServiceRegistry ------------------------------------------------------------------------


async def test_registry_round_trip_by_the_admin_only(kit: Kit) -> None:
    admin, operator, stranger = (
        await kit.account(),
        await kit.account(fund=False),
        await kit.account(),
    )
    registry = await kit.deploy("ServiceRegistry", admin)
    key = operator.public_key
    registered = await kit.invoke(
        admin, "ServiceRegistry", registry, "register",
        "oracle", kit.account_arg(operator), "https://oracle.example/v1", kit.blob(key),
    )  # fmt: skip
    assert registered.state == "HALT"
    assert event_names(registered) == ["ServiceRegistered"]
    assert registered.events[0].args["name"] == "oracle"

    entry = await kit.value("ServiceRegistry", registry, "get", "oracle")
    assert entry[0] in ("oracle", b"oracle")
    assert entry[2] in ("https://oracle.example/v1", b"https://oracle.example/v1")
    assert entry[3] == key
    names = await kit.value("ServiceRegistry", registry, "names")
    assert [n if isinstance(n, str) else n.decode() for n in names] == ["oracle"]

    with pytest.raises(ChainRejected, match="only the admin"):
        await kit.invoke(
            stranger, "ServiceRegistry", registry, "register",
            "rogue", kit.account_arg(stranger), "https://rogue.example", kit.blob(b"k"),
        )  # fmt: skip

    await kit.invoke(
        admin, "ServiceRegistry", registry, "register",
        "oracle", kit.account_arg(operator), "https://oracle.example/v2", kit.blob(key),
    )  # fmt: skip
    entry = await kit.value("ServiceRegistry", registry, "get", "oracle")
    assert entry[2] in ("https://oracle.example/v2", b"https://oracle.example/v2")

    longest, too_long = "n" * 60, "n" * 61  # names are 1..60 bytes on both chains
    await kit.invoke(
        admin, "ServiceRegistry", registry, "register",
        longest, kit.account_arg(operator), "https://x.example", kit.blob(key),
    )  # fmt: skip
    assert (await kit.value("ServiceRegistry", registry, "get", longest))[3] == key
    with pytest.raises(ChainRejected):
        await kit.invoke(
            admin, "ServiceRegistry", registry, "register",
            too_long, kit.account_arg(operator), "https://x.example", kit.blob(key),
        )  # fmt: skip
    await kit.invoke(admin, "ServiceRegistry", registry, "remove", longest)

    removed = await kit.invoke(admin, "ServiceRegistry", registry, "remove", "oracle")
    assert event_names(removed) == ["ServiceRemoved"]
    gone = await kit.value("ServiceRegistry", registry, "get", "oracle")
    assert gone == [] or gone[1] == "0x" + "00" * 20  # N3: empty; Neo X: the zero entry
    assert await kit.value("ServiceRegistry", registry, "names") == []
    with pytest.raises(ChainRejected, match="unknown service"):
        await kit.invoke(admin, "ServiceRegistry", registry, "remove", "oracle")


# --- OracleConsumer ---------------------------------------------------------------------------


class Oracle:
    """An OracleConsumer with four enclave-held oracle keys and threshold 3."""

    def __init__(self, kit: Kit, contract: str, nodes: list[EnclaveSigner]) -> None:
        self.kit = kit
        self.contract = contract
        self.nodes = nodes
        self.keys = [node.public_key for node in nodes]

    def message(self, round_id: int, value: int, timestamp: int) -> bytes:
        kit = self.kit
        return reports.oracle_report_message(
            kit.name, kit.network_id, self.contract, FEED, round_id, value, timestamp
        )

    async def signatures(self, message: bytes, nodes: list[EnclaveSigner]) -> dict[bytes, bytes]:
        return {
            node.public_key: await reports.sign_oracle_report(self.kit.name, message, node.sign)
            for node in nodes
        }

    async def submit(
        self, sender: EnclaveSigner, report: tuple[int, int, int], packed: bytes
    ) -> Any:
        round_id, value, timestamp = report
        return await self.kit.invoke(
            sender, "OracleConsumer", self.contract, "submit",
            FEED, round_id, value, timestamp, self.kit.blob(packed),
        )  # fmt: skip

    async def latest(self) -> list[int]:
        """[round_id, value, timestamp], or [] before the first report (Neo X: round 0)."""
        latest = await self.kit.value("OracleConsumer", self.contract, "latest", FEED)
        return [] if not latest or latest[0] == 0 else list(latest)


def verify_independently(kit: Kit, message: bytes, key: bytes, signature: bytes) -> bool:
    """neo-mamba (N3) or eth-account (Neo X), not our code, checks an oracle signature."""
    if kit.name == NEO_N3:
        return bool(neo_crypto.verify_signature(message, signature, key))
    recovered = Account.recover_message(encode_defunct(primitive=message), signature=signature)
    return bool(recovered == PublicKey.from_compressed_bytes(key).to_checksum_address())


@pytest.fixture
async def oracle(kit: Kit) -> Oracle:
    admin = await kit.account()
    contract = await kit.deploy("OracleConsumer", admin)
    nodes = [await kit.account(fund=False) for _ in range(4)]
    configured = await kit.invoke(
        admin,
        "OracleConsumer",
        contract,
        "set_signers",
        kit.signer_set([n.public_key for n in nodes]),
        3,
    )
    assert configured.state == "HALT"
    return Oracle(kit, contract, nodes)


async def test_the_signer_set_and_threshold_are_the_admins_and_must_be_sane(kit: Kit) -> None:
    admin, stranger = await kit.account(), await kit.account()
    contract = await kit.deploy("OracleConsumer", admin)
    keys = [(await kit.account(fund=False)).public_key for _ in range(4)]

    async def configure(who: EnclaveSigner, signers: list[bytes], threshold: int) -> Any:
        return await kit.invoke(
            who, "OracleConsumer", contract, "set_signers", kit.signer_set(signers), threshold
        )

    for threshold in (0, 5):
        with pytest.raises(ChainRejected, match="threshold must be"):
            await configure(admin, keys, threshold)
    with pytest.raises(ChainRejected, match="duplicate signer"):
        await configure(admin, [*keys[:3], keys[0]], 2)
    with pytest.raises(ChainRejected, match="only the admin"):
        await configure(stranger, keys, 3)
    assert (await configure(admin, keys, 3)).state == "HALT"
    assert await kit.value("OracleConsumer", contract, "threshold") == 3


EDGE_REPORTS = [
    (FEED, 9, -123_456_789, 1_764_000_000),
    ("Ω/€", 1, 0, 0),  # multi-byte UTF-8, zero value and time
    ("F" * 60, 2**63 - 1, 2**255 - 1, 2**63 - 1),
    ("X", 128, -(2**255), 255),
]


async def test_the_contract_checks_exactly_the_encoded_message(oracle: Oracle) -> None:
    kit = oracle.kit
    for feed, *fields in EDGE_REPORTS:
        message = reports.oracle_report_message(
            kit.name, kit.network_id, oracle.contract, feed, *fields
        )
        if kit.name == NEO_N3:
            onchain = await kit.value(
                "OracleConsumer", oracle.contract, "report_message", feed, *fields
            )
            assert onchain == message
        else:
            onchain = await kit.value(
                "OracleConsumer", oracle.contract, "report_digest", feed, *fields
            )
            assert onchain == reports.oracle_report_digest(kit.name, message)


async def test_a_report_with_threshold_signatures_is_accepted(oracle: Oracle) -> None:
    kit, sender = oracle.kit, await oracle.kit.account()
    report = (1, 12_345_678, 1_764_000_000)
    message = oracle.message(*report)
    signed = await oracle.signatures(message, oracle.nodes[:3])
    for key, signature in signed.items():
        assert verify_independently(kit, message, key, signature)
    outcome = await oracle.submit(
        sender, report, reports.pack_signatures(kit.name, oracle.keys, signed)
    )
    assert outcome.state == "HALT"
    assert event_names(outcome) == ["ReportAccepted"]
    assert int(outcome.events[0].args["round_id"]) == 1
    assert await oracle.latest() == list(report)


async def test_reports_below_threshold_or_from_a_repeated_signer_are_refused(
    oracle: Oracle,
) -> None:
    kit, sender = oracle.kit, await oracle.kit.account()
    report = (1, 500, 1_764_000_000)
    signed = await oracle.signatures(oracle.message(*report), oracle.nodes[:3])
    two = dict(list(signed.items())[:2])
    with pytest.raises(ChainRejected, match="not enough signatures"):
        await oracle.submit(sender, report, reports.pack_signatures(kit.name, oracle.keys, two))
    pair = reports.pack_signatures(kit.name, oracle.keys, two)
    repeated = pair + pair[:65]  # three entries, two signers: the first one twice
    with pytest.raises(ChainRejected, match=r"strictly increase|distinct"):
        await oracle.submit(sender, report, repeated)
    assert await oracle.latest() == []


async def test_a_signer_outside_the_set_does_not_count(oracle: Oracle) -> None:
    kit, sender = oracle.kit, await oracle.kit.account()
    report = (1, 500, 1_764_000_000)
    message = oracle.message(*report)
    outsider = await kit.account(fund=False)
    signed = await oracle.signatures(message, [*oracle.nodes[:2], outsider])
    if kit.name == NEO_N3:  # N3 names keys by index: the outsider's signature in member slot 2
        members = reports.pack_signatures(kit.name, oracle.keys, dict(list(signed.items())[:2]))
        packed = members + bytes([2]) + signed[outsider.public_key]
        reason = "invalid signature"
    else:
        by_address = sorted(signed.items(), key=lambda kv: int(kit.chain.address_of(kv[0]), 16))
        packed = b"".join(signature for _, signature in by_address)
        reason = "signer outside the set"
    with pytest.raises(ValidationFailed, match="outside the signer set"):
        reports.pack_signatures(kit.name, oracle.keys, signed)  # refused off-chain as well
    with pytest.raises(ChainRejected, match=reason):
        await oracle.submit(sender, report, packed)


async def test_replayed_older_and_tampered_reports_are_refused(oracle: Oracle) -> None:
    kit, sender = oracle.kit, await oracle.kit.account()
    first, second = (1, 100, 1_764_000_000), (2, 101, 1_764_000_060)
    packed = {}
    for report in (first, second):
        signed = await oracle.signatures(oracle.message(*report), oracle.nodes[1:])
        packed[report] = reports.pack_signatures(kit.name, oracle.keys, signed)
    assert (await oracle.submit(sender, first, packed[first])).state == "HALT"
    tampered = (2, 999, 1_764_000_060)  # second's signatures, another value
    reason = "invalid signature" if kit.name == NEO_N3 else "signer outside the set"
    with pytest.raises(ChainRejected, match=reason):
        await oracle.submit(sender, tampered, packed[second])
    assert (await oracle.submit(sender, second, packed[second])).state == "HALT"
    for old in (second, first):  # the same round again, then an older one
        with pytest.raises(ChainRejected, match="round_id must increase"):
            await oracle.submit(sender, old, packed[old])
    assert await oracle.latest() == list(second)


# --- RandomnessConsumer -----------------------------------------------------------------------


async def test_only_the_fulfiller_fulfils_and_only_once(kit: Kit) -> None:
    admin, fulfiller, dapp = await kit.account(), await kit.account(), await kit.account()
    consumer = await kit.deploy("RandomnessConsumer", admin)
    configured = await kit.invoke(
        admin, "RandomnessConsumer", consumer, "set_fulfiller", kit.account_arg(fulfiller)
    )
    assert configured.state == "HALT"
    requested = await kit.invoke(dapp, "RandomnessConsumer", consumer, "request", kit.blob(b"seed"))
    assert event_names(requested) == ["RandomnessRequested"]
    request_id = int(requested.events[0].args["request_id"])
    assert request_id == 1

    randomness = secrets.token_bytes(32)
    with pytest.raises(ChainRejected, match="only the fulfiller"):
        await kit.invoke(
            dapp, "RandomnessConsumer", consumer, "fulfill", request_id, kit.blob(randomness)
        )
    fulfilled = await kit.invoke(
        fulfiller, "RandomnessConsumer", consumer, "fulfill", request_id, kit.blob(randomness)
    )
    assert fulfilled.state == "HALT"
    assert event_names(fulfilled) == ["RandomnessFulfilled"]
    stored = await kit.value("RandomnessConsumer", consumer, "get", request_id)
    assert stored[1] == b"seed" and stored[2] is True and stored[3] == randomness
    with pytest.raises(ChainRejected, match="already fulfilled"):
        await kit.invoke(
            fulfiller, "RandomnessConsumer", consumer, "fulfill", request_id, kit.blob(b"\x01")
        )


async def test_an_unauthorised_fulfilment_that_gets_mined_faults_on_chain(kit: Kit) -> None:
    admin, fulfiller, intruder = await kit.account(), await kit.account(), await kit.account()
    consumer = await kit.deploy("RandomnessConsumer", admin)
    await kit.invoke(
        admin, "RandomnessConsumer", consumer, "set_fulfiller", kit.account_arg(fulfiller)
    )
    requested = await kit.invoke(
        intruder, "RandomnessConsumer", consumer, "request", kit.blob(b"s")
    )
    request_id = int(requested.events[0].args["request_id"])
    raw = await unchecked_transaction(
        kit, intruder, "RandomnessConsumer", consumer, "fulfill",
        request_id, kit.blob(b"\x07" * 32),
    )  # fmt: skip
    outcome = await kit.chain.send_raw(raw)
    assert outcome.state == "FAULT"
    assert outcome.exception is not None and "only the fulfiller" in outcome.exception
    assert outcome.events == []
    stored = await kit.value("RandomnessConsumer", consumer, "get", request_id)
    assert stored[2] is False and stored[3] == b""
