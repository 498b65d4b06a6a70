"""Errors of the keys service (codes ``keys.<reason>``)."""

from __future__ import annotations

from nsl.core.errors import BadRequest, Conflict, FieldIssue, Forbidden, NotFound, RateLimited


class KeyNotFound(NotFound):
    code = "keys.not_found"


class KeyStateConflict(Conflict):
    """A key's state forbids the operation (revoked, expired, deleted, destroyed)."""


class KeyRevoked(KeyStateConflict):
    code = "keys.revoked"


class KeyExpired(KeyStateConflict):
    code = "keys.expired"


class KeyDeleted(KeyStateConflict):
    code = "keys.deleted"


class KeyDestroyed(KeyStateConflict):
    code = "keys.destroyed"


class NotDeleted(Conflict):
    code = "keys.not_deleted"


class NotExportable(Forbidden):
    code = "keys.not_exportable"


class NameTaken(Conflict):
    code = "keys.name_taken"


class TooManyKeys(Conflict):
    code = "keys.limit_reached"


class ConcurrentChange(Conflict):
    code = "keys.concurrent_change"


class KeyRateLimited(RateLimited):
    code = "keys.rate_limited"


class VersionUnavailable(BadRequest):
    code = "keys.version_unavailable"


class RoleForbidden(Forbidden):
    code = "keys.role_forbidden"


class UsageNotAllowed(BadRequest):
    code = "keys.usage_not_allowed"


class InvalidInput(BadRequest):
    """Bad input the service checks itself (hex, curve, scheme...): 400 naming field and rule."""

    code = "keys.invalid_input"

    @classmethod
    def on(cls, field: str, rule: str, message: str) -> InvalidInput:
        return cls(f"{field}: {message}", fields=[FieldIssue(field, rule, message)])
