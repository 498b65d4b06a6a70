"""The committed platform-contract artefacts match their sources and load well-formed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nsl.chains.artifacts import PLATFORM_CONTRACTS, load_artifact
from nsl.chains.neo_n3.nef import manifest_bytes, parse_nef
from nsl.chains.neo_x.abi import validate_abi
from nsl.core.chain import NEO_N3, NEO_X, UnknownChain
from nsl.core.errors import ValidationFailed

ROOT = Path(__file__).resolve().parents[3]
CASES = [(chain, name) for chain in (NEO_N3, NEO_X) for name in PLATFORM_CONTRACTS]
SOURCE_SUFFIX = {NEO_N3: ".py", NEO_X: ".vy"}
COMPILER = {NEO_N3: "neo3-boa 1.3.0", NEO_X: "vyper 0.4.3"}
# the same entry points on both chains, so services call them by one name
COMMON_METHODS = {
    "ServiceRegistry": {"admin", "set_admin", "register", "remove", "get", "names"},
    "OracleConsumer": {
        "admin",
        "set_admin",
        "set_signers",
        "signers",
        "threshold",
        "submit",
        "latest",
    },
    "RandomnessConsumer": {
        "admin",
        "set_admin",
        "set_fulfiller",
        "fulfiller",
        "request",
        "fulfill",
        "get",
        "request_count",
    },
}
EVENTS = {
    "ServiceRegistry": {"ServiceRegistered", "ServiceRemoved"},
    "OracleConsumer": {"ReportAccepted"},
    "RandomnessConsumer": {"RandomnessRequested", "RandomnessFulfilled"},
}


@pytest.mark.parametrize(("chain", "name"), CASES)
def test_recorded_source_hash_matches_the_source_file(chain: str, name: str) -> None:
    artifact = load_artifact(chain, name)
    source = ROOT / artifact.source
    assert source.name == name + SOURCE_SUFFIX[chain]
    current = hashlib.sha256(source.read_bytes()).hexdigest()
    assert artifact.source_sha256 == current, f"{artifact.source} changed: run `make contracts`"
    assert artifact.compiler == COMPILER[chain]


def test_every_source_has_an_artifact_and_no_artifact_lacks_a_source() -> None:
    for chain, folder in ((NEO_N3, "neo_n3"), (NEO_X, "neo_x")):
        names = {
            path.stem for path in (ROOT / "contracts" / folder).glob("*" + SOURCE_SUFFIX[chain])
        }
        assert names == set(PLATFORM_CONTRACTS)


@pytest.mark.parametrize("name", PLATFORM_CONTRACTS)
def test_neo_n3_artifact_is_a_valid_nef_and_manifest(name: str) -> None:
    artifact = load_artifact(NEO_N3, name)
    nef = parse_nef(artifact.code)  # checks magic, layout and checksum
    assert nef.compiler.startswith("neo3-boa")
    assert artifact.manifest is not None
    manifest_bytes(artifact.manifest)  # neo-mamba parses it
    abi = artifact.manifest["abi"]
    methods = {method["name"] for method in abi["methods"]}
    assert COMMON_METHODS[name] | {"_deploy"} <= methods
    assert EVENTS[name] <= {event["name"] for event in abi["events"]}
    deployment = artifact.deployment()
    assert deployment.code == artifact.code
    assert deployment.manifest == artifact.manifest


@pytest.mark.parametrize("name", PLATFORM_CONTRACTS)
def test_neo_x_artifact_has_a_valid_abi_and_bytecode(name: str) -> None:
    artifact = load_artifact(NEO_X, name)
    validate_abi(artifact.abi)
    functions = {entry["name"] for entry in artifact.abi if entry["type"] == "function"}
    assert COMMON_METHODS[name] <= functions
    events = {entry["name"] for entry in artifact.abi if entry["type"] == "event"}
    assert EVENTS[name] <= events
    assert artifact.runtime_code
    assert artifact.runtime_code in artifact.code  # the init code returns the runtime code
    deployment = artifact.deployment()
    assert deployment.code == artifact.code
    assert deployment.abi == artifact.abi


def test_unknown_contract_names_the_field_and_the_choices() -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_artifact(NEO_N3, "Token")
    assert caught.value.fields[0].field == "name"
    assert "ServiceRegistry" in caught.value.fields[0].message


def test_unknown_chain_is_refused() -> None:
    with pytest.raises(UnknownChain):
        load_artifact("ethereum", "ServiceRegistry")
