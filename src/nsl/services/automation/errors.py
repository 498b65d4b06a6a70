"""Errors of the automation service (codes ``automation.<reason>``)."""

from __future__ import annotations

from nsl.core.errors import Conflict, NotFound, Unauthenticated, ValidationFailed


class InvalidInput(ValidationFailed):
    code = "automation.invalid"


class JobNotFound(NotFound):
    """No such job, or it belongs to someone else."""

    code = "automation.not_found"


class WrongState(Conflict):
    """The job's status does not allow the operation (e.g. resuming a cancelled job)."""

    code = "automation.wrong_state"


class QuotaExceeded(Conflict):
    code = "automation.quota_exceeded"


class BadSignature(Unauthenticated):
    """A webhook trigger call without a valid, fresh signature."""

    code = "automation.bad_signature"


def not_found(job_id: str) -> JobNotFound:
    return JobNotFound(f"no automation job {job_id!r} of yours")
