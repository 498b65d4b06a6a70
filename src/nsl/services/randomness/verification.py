"""The public check: does a proof verify under a key and alpha, and do the values follow?

Malformed input (bad hex, unknown suite, impossible range) is a 4xx; a proof that does not
verify is an answer (``valid: false`` with a reason), not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nsl.enclave.ecvrf import Suite, VrfInvalid, draw_values, suite_for
from nsl.services.randomness import rules
from nsl.services.randomness.errors import InvalidInput
from nsl.services.randomness.schemas import VerifyBody

KEY_MAX_BYTES = 64
PROOF_MAX_BYTES = 128


@dataclass(frozen=True)
class Claim:
    """A parsed verify request."""

    suite: Suite
    public_key: bytes
    proof: bytes
    alpha: bytes
    draw: rules.Draw | None
    values: list[int] | None


def parse(body: VerifyBody) -> Claim:
    suite = suite_for(body.suite)
    public_key = rules.hex_bytes(
        body.public_key, "public_key", min_bytes=1, max_bytes=KEY_MAX_BYTES
    )
    proof = rules.hex_bytes(body.proof, "proof", min_bytes=1, max_bytes=PROOF_MAX_BYTES)
    alpha = rules.hex_bytes(body.alpha, "alpha", min_bytes=0, max_bytes=rules.ALPHA_MAX_BYTES)
    draw = None
    if body.values is not None or body.count is not None:
        count = body.count if body.count is not None else len(body.values or [])
        if body.values is not None and len(body.values) != count:
            raise InvalidInput.on("values", "length", "must hold exactly count values")
        draw = rules.draw(count, body.min_value, body.max_value)
    return Claim(suite, public_key, proof, alpha, draw, body.values)


def check(claim: Claim) -> dict[str, Any]:
    result: dict[str, Any] = {"suite": claim.suite.name}
    try:
        beta = claim.suite.verify(claim.public_key, claim.proof, claim.alpha)
    except VrfInvalid as exc:
        return {"valid": False, **result, "reason": exc.reason, "detail": exc.detail}
    result["beta"] = beta.hex()
    if claim.draw is None:
        return {"valid": True, **result}
    values = draw_values(beta, claim.draw.count, claim.draw.low, claim.draw.high)
    result["values"] = values
    if claim.values is not None and claim.values != values:
        detail = "the values are not the ones this proof yields for count, min and max"
        return {"valid": False, **result, "reason": "values_mismatch", "detail": detail}
    return {"valid": True, **result}
