"""The one error ECVRF verification raises: the proof, key or input does not check out."""

from __future__ import annotations

from nsl.core.errors import BadRequest


class VrfInvalid(BadRequest):
    """An ECVRF proof (or the public key it is checked against) is not valid.

    ``reason`` is a short stable word: ``public_key_invalid``, ``proof_malformed`` or
    ``proof_mismatch``.
    """

    code = "randomness.proof_invalid"
    title = "Invalid VRF proof"

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail, extra={"reason": reason})
        self.reason = reason
