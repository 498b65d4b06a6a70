"""Errors of the secrets service (codes ``secrets.<reason>``)."""

from __future__ import annotations

from nsl.core.errors import BadRequest, Conflict, Forbidden, NotFound, NslError


class SecretNotFound(NotFound):
    """No such secret, or the caller may not know whether it exists."""

    code = "secrets.not_found"


class VersionNotFound(NotFound):
    code = "secrets.version_not_found"


class VersionDeleted(NotFound):
    code = "secrets.version_deleted"


class VersionDestroyed(NotFound):
    code = "secrets.version_destroyed"


class PolicyNotFound(NotFound):
    code = "secrets.policy_not_found"


class CapabilityMissing(Forbidden):
    code = "secrets.forbidden"


class CasMismatch(Conflict):
    code = "secrets.cas_mismatch"


class CasRequired(BadRequest):
    code = "secrets.cas_required"


class ConcurrentChange(Conflict):
    code = "secrets.concurrent_change"


class QuotaExceeded(Conflict):
    code = "secrets.quota_exceeded"


class ValueUnreadable(NslError):
    """A stored value that fails authentication: damaged, or moved to another secret/version."""

    code = "secrets.value_unreadable"


def not_found(path: str) -> SecretNotFound:
    return SecretNotFound(f"no secret at {path!r} that you may access")
