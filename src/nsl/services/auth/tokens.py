"""JWT access tokens (HS256): the secret's resolution, issuing, and strict verification.

New tokens are signed with the current secret; ``auth.previous_jwt_secrets`` also verify, so a
rotation (stage the next secret, promote it, retire the old) never refuses a valid token.

Time checks use the injected clock, not PyJWT's wall clock, so tests move time instead of
sleeping; PyJWT checks signature, algorithm, issuer, audience and required claims.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from nsl.core.clock import Clock
from nsl.core.errors import SettingsError
from nsl.core.ids import new_id
from nsl.core.security import Role
from nsl.core.settings import AuthSettings, Settings
from nsl.services.auth import errors
from nsl.services.auth.files import write_private

ALGORITHMS = ["HS256"]
MIN_SECRET_BYTES = 32
MAX_TOKEN_CHARS = 8192
REQUIRED = ["sub", "name", "kind", "roles", "iat", "exp", "iss", "aud", "jti", "mfa", "ver"]
KNOWN_ROLES = frozenset(r.value for r in Role)


def resolve_jwt_secret(settings: Settings) -> bytes:
    """The configured secret; in development a random one kept in ``<data_dir>/jwt-secret``."""
    configured = settings.auth.jwt_secret
    if configured is not None and configured.get_secret_value():
        secret = configured.get_secret_value().encode("utf-8")
        if len(secret) < MIN_SECRET_BYTES:
            raise SettingsError(f"auth.jwt_secret must be at least {MIN_SECRET_BYTES} characters")
        return secret
    if settings.env == "production":
        raise SettingsError("auth.jwt_secret is not set (NSL_AUTH__JWT_SECRET)")
    path = settings.data_dir / "jwt-secret"
    if path.exists():
        secret = path.read_bytes().strip()
    else:
        secret = write_private(path, secrets.token_hex(64).encode("ascii"), replace=False).strip()
    if len(secret) < MIN_SECRET_BYTES:
        raise SettingsError(
            f"{path} holds fewer than {MIN_SECRET_BYTES} bytes; delete it to regenerate"
        )
    return secret


def resolve_previous_jwt_secrets(settings: Settings) -> tuple[bytes, ...]:
    """The other secrets accepted for verification (each as long as a current one must be)."""
    previous = []
    for configured in settings.auth.previous_jwt_secrets:
        secret = configured.get_secret_value().encode("utf-8")
        if len(secret) < MIN_SECRET_BYTES:
            raise SettingsError(
                f"auth.previous_jwt_secrets: each must be at least {MIN_SECRET_BYTES} characters"
            )
        previous.append(secret)
    return tuple(previous)


@dataclass(frozen=True)
class AccessClaims:
    """The verified content of an access token."""

    sub: str
    name: str
    kind: str
    roles: frozenset[Role]
    mfa: bool
    ver: int
    jti: str
    exp: int


class AccessTokens:
    """Issues access tokens with one secret; verifies with it or an earlier one (rotation)."""

    def __init__(
        self,
        secret: bytes,
        settings: AuthSettings,
        clock: Clock,
        previous: Sequence[bytes] = (),
    ) -> None:
        self._secret = secret
        self._verifying = (secret, *(p for p in previous if p != secret))
        self._settings = settings
        self._clock = clock

    def __repr__(self) -> str:
        return f"AccessTokens(issuer={self._settings.jwt_issuer!r}, secret=<hidden>)"

    @property
    def ttl_s(self) -> int:
        return self._settings.access_token_ttl_s

    def issue(
        self, *, sub: str, name: str, kind: str, roles: list[str], mfa: bool, ver: int
    ) -> str:
        now = int(self._clock.now().timestamp())
        claims: dict[str, Any] = {
            "sub": sub,
            "name": name,
            "kind": kind,
            "roles": sorted(roles),
            "iat": now,
            "exp": now + self.ttl_s,
            "iss": self._settings.jwt_issuer,
            "aud": self._settings.jwt_audience,
            "jti": new_id(),
            "mfa": mfa,
            "ver": ver,
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def verify(self, token: str) -> AccessClaims:
        """The token's claims, or ``auth.invalid_token`` / ``auth.expired_token``."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise errors.invalid_token()
        for index, secret in enumerate(self._verifying):
            try:
                claims = self._decode(token, secret)
            except jwt.InvalidSignatureError as exc:
                if index + 1 < len(self._verifying):
                    continue  # signed before a rotation, perhaps: try the earlier secret
                raise errors.invalid_token() from exc
            except jwt.InvalidTokenError as exc:
                raise errors.invalid_token() from exc
            return self._checked(claims)
        raise errors.invalid_token()  # unreachable: there is always a current secret

    def _decode(self, token: str, secret: bytes) -> dict[str, Any]:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=ALGORITHMS,
            audience=self._settings.jwt_audience,
            issuer=self._settings.jwt_issuer,
            options={
                "require": REQUIRED,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
        return claims

    def _checked(self, claims: dict[str, Any]) -> AccessClaims:
        now = self._clock.now().timestamp()
        exp, iat, roles = claims["exp"], claims["iat"], claims["roles"]
        if not all(
            isinstance(v, int) and not isinstance(v, bool) for v in (exp, iat, claims["ver"])
        ):
            raise errors.invalid_token()
        if iat > now + 60:
            raise errors.invalid_token("the access token was issued in the future")
        if now >= exp:
            raise errors.expired_token()
        texts = (claims["sub"], claims["name"], claims["kind"], claims["jti"])
        if not all(isinstance(v, str) for v in texts) or not isinstance(claims["mfa"], bool):
            raise errors.invalid_token()
        if not isinstance(roles, list) or not all(
            isinstance(r, str) and r in KNOWN_ROLES for r in roles
        ):
            raise errors.invalid_token()
        return AccessClaims(
            sub=claims["sub"],
            name=claims["name"],
            kind=claims["kind"],
            roles=frozenset(Role(r) for r in roles),
            mfa=claims["mfa"],
            ver=claims["ver"],
            jti=claims["jti"],
            exp=exp,
        )
