"""Proving one request: the enclave makes the proof, we verify it, then draw the values.

A proof that does not verify under the stored public key is never answered: it raises
:class:`SelfCheckFailed`. VRF proofs are deterministic, so a retry gives the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from nsl.core.enclave import Enclave
from nsl.enclave.ecvrf import VrfInvalid, draw_values, suite_for
from nsl.services.randomness.errors import SelfCheckFailed
from nsl.services.randomness.models import RandomnessRequest


@dataclass(frozen=True)
class Result:
    beta: bytes
    proof: bytes
    values: list[int]


async def prove(enclave: Enclave, row: RandomnessRequest) -> Result:
    """The request's proof (by the key it was admitted under), checked, and its values."""
    proof = await enclave.vrf_prove(row.key_ref, row.alpha)
    try:
        beta = suite_for(row.suite).verify(row.public_key, proof, row.alpha)
    except VrfInvalid as exc:
        raise SelfCheckFailed("the enclave's proof did not verify; no answer was given") from exc
    values = draw_values(beta, row.count, int(row.min_value), int(row.max_value))
    return Result(beta, proof, values)
