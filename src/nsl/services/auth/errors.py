"""Auth error codes (``auth.<reason>``) as small constructors over the core error types.

Details never carry a credential, and login failures never say whether the name exists.
"""

from __future__ import annotations

from nsl.core.errors import Conflict, Forbidden, NotFound, Unauthenticated

INVALID_CREDENTIALS = "invalid username or password"


def invalid_token(detail: str = "the access token is not valid") -> Unauthenticated:
    return Unauthenticated(detail, code="auth.invalid_token")


def expired_token(detail: str = "the access token has expired") -> Unauthenticated:
    return Unauthenticated(detail, code="auth.expired_token")


def invalid_api_key() -> Unauthenticated:
    return Unauthenticated("the API key is not valid", code="auth.invalid_api_key")


def expired_api_key() -> Unauthenticated:
    return Unauthenticated("the API key has expired", code="auth.expired_api_key")


def revoked_api_key() -> Unauthenticated:
    return Unauthenticated("the API key has been revoked", code="auth.revoked_api_key")


def principal_disabled() -> Unauthenticated:
    return Unauthenticated("this principal is disabled", code="auth.principal_disabled")


def invalid_credentials() -> Unauthenticated:
    return Unauthenticated(INVALID_CREDENTIALS, code="auth.invalid_credentials")


def locked() -> Unauthenticated:
    return Unauthenticated("too many failed sign-in attempts; try again later", code="auth.locked")


def totp_required() -> Unauthenticated:
    return Unauthenticated("a TOTP code is required for this principal", code="auth.totp_required")


def invalid_totp() -> Unauthenticated:
    return Unauthenticated(
        "the TOTP code is not valid or was already used", code="auth.invalid_totp"
    )


def refresh_reused() -> Unauthenticated:
    return Unauthenticated(
        "this refresh token was already used; its whole session has been revoked",
        code="auth.refresh_reused",
    )


def totp_not_enrolled() -> Forbidden:
    return Forbidden(
        "this operation needs TOTP; enrol an authenticator first", code="auth.totp_not_enrolled"
    )


def role_escalation() -> Forbidden:
    return Forbidden(
        "a key cannot carry roles its holder does not have", code="auth.role_escalation"
    )


def not_own_principal() -> Forbidden:
    return Forbidden("only an admin may act for another principal", code="auth.forbidden")


def principal_not_found(principal_id: str) -> NotFound:
    return NotFound(f"no principal {principal_id!r}", code="auth.principal_not_found")


def key_not_found(key_id: str) -> NotFound:
    return NotFound(f"no API key {key_id!r}", code="auth.key_not_found")


def name_taken(name: str) -> Conflict:
    return Conflict(f"a principal named {name!r} already exists", code="auth.name_taken")


def last_admin() -> Conflict:
    return Conflict(
        "this would leave no enabled admin; grant admin to another principal first",
        code="auth.last_admin",
    )


def totp_state(detail: str) -> Conflict:
    return Conflict(detail, code="auth.totp_state")
