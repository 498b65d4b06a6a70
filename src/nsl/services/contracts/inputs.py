"""Turn request bodies into what a chain is asked to do, refusing anything malformed first.

Deploy: Neo N3 wants ``nef`` + ``manifest`` (+ ``data``), Neo X ``bytecode`` + ``abi``
(+ constructor ``args``); each chain refuses the other's fields. Sizes come from the chain's
settings (``max_contract_bytes``: the NEF plus the manifest, or the init code).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from nsl.chains.neo_n3.nef import manifest_bytes, parse_nef
from nsl.core.chain import NEO_N3, ContractCall, Deployment
from nsl.services.contracts import evm, manifest, rules
from nsl.services.contracts.errors import InvalidInput
from nsl.services.contracts.schemas import CallBody, DeployBody

N3_ONLY = ("nef", "manifest", "data")
X_ONLY = ("bytecode", "abi", "args")


@dataclass(frozen=True)
class DeployPlan:
    deployment: Deployment
    name: str | None
    code_hash: str


def deploy_plan(chain: str, body: DeployBody, max_bytes: int) -> DeployPlan:
    given = body.model_fields_set
    foreign = X_ONLY if chain == NEO_N3 else N3_ONLY
    for field in foreign:
        if field in given:
            raise InvalidInput.on(field, "chain_field", f"{field} is not a {chain} deploy field")
    label = rules.name(body.name)
    if chain == NEO_N3:
        return _neo_n3(body, label, "data" in given, max_bytes)
    return _neo_x(body, label, max_bytes)


def _required(value: Any, field: str, chain: str) -> Any:
    if value is None:
        raise InvalidInput.on(field, "required", f"a {chain} deployment needs {field}")
    return value


def _neo_n3(body: DeployBody, label: str | None, has_data: bool, max_bytes: int) -> DeployPlan:
    raw = rules.base64_bytes(_required(body.nef, "nef", NEO_N3), "nef", max_bytes)
    script = parse_nef(raw).script
    document = manifest.as_object(_required(body.manifest, "manifest", NEO_N3))
    encoded = manifest_bytes(document)
    manifest.check_against_script(document, len(script))
    if len(raw) + len(encoded) > max_bytes:
        raise InvalidInput.on("nef", "length", f"NEF plus manifest exceed {max_bytes} bytes")
    deployment = Deployment(code=raw, manifest=document, args=[body.data] if has_data else [])
    name = label or str(document["name"])[: rules.NAME_MAX]
    return DeployPlan(deployment, name, _digest(raw))


def _neo_x(body: DeployBody, label: str | None, max_bytes: int) -> DeployPlan:
    code = evm.bytecode(_required(body.bytecode, "bytecode", "neo-x"), max_bytes)
    abi = evm.check_abi(_required(body.abi, "abi", "neo-x"))
    args = body.args or []
    evm.check_constructor(abi, args)
    return DeployPlan(Deployment(code=code, abi=abi, args=args), label, _digest(code))


def contract_call(
    chain: str, body: CallBody, contract: str, abi: list[dict[str, Any]] | None
) -> ContractCall:
    """The call to make; on Neo X ``abi`` must name the method with this many arguments."""
    method = rules.method(body.method, chain)
    if abi is not None:
        evm.check_function(abi, method, body.args)
    return ContractCall(contract=contract, method=method, args=list(body.args), abi=abi)


def _digest(code: bytes) -> str:
    return "sha256:" + hashlib.sha256(code).hexdigest()
