"""Errors of the contracts service (codes ``contracts.<reason>``)."""

from __future__ import annotations

from nsl.core.errors import BadRequest, FieldIssue, NotFound


class InvalidInput(BadRequest):
    """Bad input the service checks itself (NEF, manifest, bytecode, ABI, ranges): 400 naming
    the field and the rule. Nothing has been sent to a chain when it is raised."""

    code = "contracts.invalid_input"

    @classmethod
    def on(cls, field: str, rule: str, message: str) -> InvalidInput:
        return cls(f"{field}: {message}", fields=[FieldIssue(field, rule, message)])


class AbiRequired(BadRequest):
    """Neo X needs an ABI to encode a call: give ``abi`` or deploy the contract through us."""

    code = "contracts.abi_required"

    @classmethod
    def on(cls, contract: str) -> AbiRequired:
        message = f"no ABI known for {contract}; send 'abi' (we have no deployment record of it)"
        return cls(f"abi: {message}", fields=[FieldIssue("abi", "required", message)])


class InvocationNotFound(NotFound):
    code = "contracts.not_found"
