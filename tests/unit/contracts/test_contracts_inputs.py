"""Deploy and call inputs are refused before anything is sent, each error naming its field."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from nsl.core.chain import NEO_N3, NEO_X
from nsl.core.errors import NslError
from nsl.services.contracts import inputs
from nsl.services.contracts.schemas import CallBody, DeployBody

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NEF_BYTES = (FIXTURES / "neo_n3" / "probe.nef").read_bytes()
MANIFEST = json.loads((FIXTURES / "neo_n3" / "probe.manifest.json").read_text())
PROBE_X = json.loads((FIXTURES / "neo_x" / "Probe.json").read_text())
LIMIT = 512 * 1024


def n3_body(**overrides: Any) -> DeployBody:
    fields: dict[str, Any] = {
        "key_id": "k1",
        "nef": base64.b64encode(NEF_BYTES).decode(),
        "manifest": copy.deepcopy(MANIFEST),
    }
    fields.update(overrides)
    return DeployBody(**fields)


def x_body(**overrides: Any) -> DeployBody:
    fields: dict[str, Any] = {
        "key_id": "k1",
        "bytecode": PROBE_X["bytecode"],
        "abi": PROBE_X["abi"],
        "args": ["label"],
    }
    fields.update(overrides)
    return DeployBody(**fields)


def refusal(call: Any) -> NslError:
    with pytest.raises(NslError) as caught:
        call()
    error = caught.value
    assert error.status in (400, 422)
    return error


def field_of(error: NslError) -> str:
    assert error.fields, error.detail
    return error.fields[0].field


# Neo N3 ---------------------------------------------------------------------------------
def test_a_valid_nef_and_manifest_make_a_plan_named_after_the_manifest() -> None:
    plan = inputs.deploy_plan(NEO_N3, n3_body(data={"x": 1}), LIMIT)
    assert plan.deployment.code == NEF_BYTES
    assert plan.deployment.manifest == MANIFEST
    assert plan.deployment.args == [{"x": 1}]
    assert plan.name == "NslProbe"
    assert plan.code_hash.startswith("sha256:")


def test_a_manifest_given_as_a_json_string_is_accepted_and_data_is_optional() -> None:
    plan = inputs.deploy_plan(NEO_N3, n3_body(manifest=json.dumps(MANIFEST), name="mine"), LIMIT)
    assert plan.deployment.manifest == MANIFEST
    assert plan.deployment.args == []
    assert plan.name == "mine"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda b: b"XXXX" + b[4:],  # magic
        lambda b: b[:-5] + bytes([b[-5] ^ 1]) + b[-4:],  # script byte: checksum fails
        lambda b: b[:-1],  # truncated
        lambda b: b + b"\x00",  # trailing bytes
    ],
    ids=["magic", "checksum", "truncated", "trailing"],
)
def test_a_malformed_nef_is_refused_naming_nef(mangle: Any) -> None:
    body = n3_body(nef=base64.b64encode(mangle(NEF_BYTES)).decode())
    assert field_of(refusal(lambda: inputs.deploy_plan(NEO_N3, body, LIMIT))) == "nef"


def test_nef_that_is_not_base64_is_refused() -> None:
    error = refusal(lambda: inputs.deploy_plan(NEO_N3, n3_body(nef="not base64!"), LIMIT))
    assert (field_of(error), error.fields[0].rule) == ("nef", "base64")


def test_nef_plus_manifest_above_the_configured_size_is_refused() -> None:
    error = refusal(lambda: inputs.deploy_plan(NEO_N3, n3_body(), len(NEF_BYTES) + 10))
    assert (field_of(error), error.fields[0].rule) == ("nef", "length")


def _repeat(items: list[Any], index: int) -> None:
    items.append(copy.deepcopy(items[index]))


def _manifest(mutate: Any) -> dict[str, Any]:
    document = copy.deepcopy(MANIFEST)
    mutate(document)
    return document


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda m: m["abi"]["methods"][1].update(offset=10_000), "manifest.abi.methods[1].offset"),
        (
            lambda m: m["abi"]["methods"].append(dict(m["abi"]["methods"][2])),
            "manifest.abi.methods[7]",
        ),
        (
            lambda m: m["abi"]["events"].append(dict(m["abi"]["events"][0])),
            "manifest.abi.events[2]",
        ),
        (lambda m: m.update(features={"storage": True}), "manifest"),
        (lambda m: m.pop("abi"), "manifest"),
        (lambda m: m.update(name=""), "manifest"),
    ],
    ids=["offset", "duplicate-method", "duplicate-event", "features", "no-abi", "no-name"],
)
def test_a_malformed_manifest_is_refused_naming_where(mutate: Any, field: str) -> None:
    body = n3_body(manifest=_manifest(mutate))
    assert field_of(refusal(lambda: inputs.deploy_plan(NEO_N3, body, LIMIT))) == field


def test_a_manifest_string_that_is_not_json_is_refused() -> None:
    error = refusal(lambda: inputs.deploy_plan(NEO_N3, n3_body(manifest="{nope"), LIMIT))
    assert (field_of(error), error.fields[0].rule) == ("manifest", "json")


@pytest.mark.parametrize("field", ["bytecode", "abi", "args"])
def test_neo_x_fields_are_refused_on_neo_n3(field: str) -> None:
    body = n3_body(**{field: [] if field != "bytecode" else "0x00"})
    assert field_of(refusal(lambda: inputs.deploy_plan(NEO_N3, body, LIMIT))) == field


def test_neo_n3_needs_nef_and_manifest() -> None:
    no_nef = DeployBody(key_id="k", manifest=MANIFEST)
    assert field_of(refusal(lambda: inputs.deploy_plan(NEO_N3, no_nef, LIMIT))) == "nef"
    no_manifest = DeployBody(key_id="k", nef=base64.b64encode(NEF_BYTES).decode())
    assert field_of(refusal(lambda: inputs.deploy_plan(NEO_N3, no_manifest, LIMIT))) == "manifest"


# Neo X ----------------------------------------------------------------------------------
def test_valid_bytecode_abi_and_constructor_args_make_a_plan() -> None:
    plan = inputs.deploy_plan(NEO_X, x_body(name="probe"), LIMIT)
    assert plan.deployment.code == bytes.fromhex(PROBE_X["bytecode"][2:])
    assert plan.deployment.abi == PROBE_X["abi"]
    assert plan.deployment.args == ["label"]
    assert plan.name == "probe"


@pytest.mark.parametrize(
    ("bytecode", "rule"),
    [("0xzz", "hex"), ("0x123", "hex"), ("0x", "not_empty"), ("0x" + "00" * 49_153, "length")],
)
def test_malformed_bytecode_is_refused_naming_bytecode(bytecode: str, rule: str) -> None:
    error = refusal(lambda: inputs.deploy_plan(NEO_X, x_body(bytecode=bytecode), LIMIT))
    assert (field_of(error), error.fields[0].rule) == ("bytecode", rule)


def test_bytecode_above_the_configured_size_is_refused() -> None:
    error = refusal(lambda: inputs.deploy_plan(NEO_X, x_body(), 100))
    assert (field_of(error), error.fields[0].rule) == ("bytecode", "length")


def test_a_malformed_abi_is_refused_naming_the_entry() -> None:
    abi = copy.deepcopy(PROBE_X["abi"])
    abi[0]["inputs"][0]["type"] = "uint257"
    error = refusal(lambda: inputs.deploy_plan(NEO_X, x_body(abi=abi), LIMIT))
    assert field_of(error) == "abi[0].inputs[0].type"


def test_constructor_arguments_must_match_the_abi() -> None:
    error = refusal(lambda: inputs.deploy_plan(NEO_X, x_body(args=[]), LIMIT))
    assert (field_of(error), error.fields[0].rule) == ("args", "arity")


@pytest.mark.parametrize("field", ["nef", "manifest", "data"])
def test_neo_n3_fields_are_refused_on_neo_x(field: str) -> None:
    body = x_body(**{field: "x" if field != "manifest" else {}})
    assert field_of(refusal(lambda: inputs.deploy_plan(NEO_X, body, LIMIT))) == field


# calls ----------------------------------------------------------------------------------
def test_a_neo_x_call_must_name_an_abi_function_with_that_many_arguments() -> None:
    abi = PROBE_X["abi"]
    body = CallBody(contract="0x" + "11" * 20, method="get", args=[1])
    call = inputs.contract_call(NEO_X, body, "0x" + "11" * 20, abi)
    assert (call.method, call.args, call.abi) == ("get", [1], abi)
    missing = CallBody(contract="0x", method="nope", args=[])
    assert field_of(refusal(lambda: inputs.contract_call(NEO_X, missing, "0x", abi))) == "method"
    arity = CallBody(contract="0x", method="get", args=[1, 2])
    assert field_of(refusal(lambda: inputs.contract_call(NEO_X, arity, "0x", abi))) == "args"


@pytest.mark.parametrize("method", ["", "_deploy", " get", "a" * 257])
def test_neo_n3_methods_must_be_public_printable_names(method: str) -> None:
    body = CallBody(contract="0x", method=method)
    assert field_of(refusal(lambda: inputs.contract_call(NEO_N3, body, "0x", None))) == "method"
