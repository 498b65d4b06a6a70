"""Errors of the randomness service (codes ``randomness.<reason>``)."""

from __future__ import annotations

from nsl.core.errors import BadRequest, Conflict, FieldIssue, NotFound, NslError, Unavailable


class InvalidInput(BadRequest):
    """Bad input the service checks itself (hex, ranges, ids): 400 naming field and rule."""

    code = "randomness.invalid_input"

    @classmethod
    def on(cls, field: str, rule: str, message: str) -> InvalidInput:
        return cls(f"{field}: {message}", fields=[FieldIssue(field, rule, message)])


class RequestNotFound(NotFound):
    code = "randomness.not_found"


class RequestIdReused(Conflict):
    """The caller's ``request_id`` already names a request with other parameters."""

    code = "randomness.request_id_reused"


class SelfCheckFailed(NslError):
    """The enclave's proof did not verify under the stored public key: no answer is given."""

    code = "randomness.self_check_failed"
    title = "VRF self-check failed"


class RequestFailed(NslError):
    """The request was given up on (its error is recorded on it); no values exist for it."""

    code = "randomness.request_failed"
    title = "Randomness request failed"


class SuiteUnavailable(Unavailable):
    """No VRF key for this suite: the enclave provider cannot make one."""

    code = "randomness.suite_unavailable"
