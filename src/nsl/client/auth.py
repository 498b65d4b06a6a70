"""Auth endpoints (``/api/v1/auth``): tokens, the caller, TOTP, principals, API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nsl.client import results
from nsl.client.base import Call, Credentials, drop_none, endpoint, path_segment
from nsl.client.results import CreatedKey, JsonObject, Page, TokenPair, TotpEnrollment

PREFIX = "/api/v1/auth"


def _token_body(
    api_key: str | None, username: str | None, password: str | None, totp_code: str | None
) -> dict[str, Any]:
    if api_key is not None:
        if username is not None or password is not None or totp_code is not None:
            raise ValueError("give either api_key or username/password, not both")
        return {"api_key": api_key}
    if username is None or password is None:
        raise ValueError("give api_key, or username and password")
    body: dict[str, Any] = {"username": username, "password": password}
    if totp_code is not None:
        body["totp_code"] = totp_code
    return body


def _store_access_token(credentials: Credentials, pair: TokenPair) -> None:
    credentials.token = pair["access_token"]


class AuthEndpoints:
    @endpoint
    def token(
        self,
        api_key: str | None = None,
        username: str | None = None,
        password: str | None = None,
        totp_code: str | None = None,
    ) -> Call[TokenPair]:
        """Exchange an API key, or a username/password (+ TOTP code), for a token pair."""
        body = _token_body(api_key, username, password, totp_code)
        return Call("POST", f"{PREFIX}/token", results.json_body, json=body)

    @endpoint
    def login_with_token(
        self,
        api_key: str | None = None,
        username: str | None = None,
        password: str | None = None,
        totp_code: str | None = None,
    ) -> Call[TokenPair]:
        """Like ``token``, then authenticate every later request with the access token."""
        body = _token_body(api_key, username, password, totp_code)
        return Call(
            "POST", f"{PREFIX}/token", results.json_body, json=body, after=_store_access_token
        )

    @endpoint
    def refresh(self, refresh_token: str) -> Call[TokenPair]:
        """A new token pair for a refresh token (which is used up)."""
        body = {"refresh_token": refresh_token}
        return Call("POST", f"{PREFIX}/refresh", results.json_body, json=body)

    @endpoint
    def logout(self, refresh_token: str) -> Call[None]:
        """Revoke a refresh token."""
        body = {"refresh_token": refresh_token}
        return Call("POST", f"{PREFIX}/logout", results.no_content, json=body)

    @endpoint
    def me(self) -> Call[JsonObject]:
        """The authenticated principal."""
        return Call("GET", f"{PREFIX}/me", results.json_object)

    @endpoint
    def totp_enroll(self) -> Call[TotpEnrollment]:
        """Start TOTP enrolment: a secret and its ``otpauth://`` URI."""
        return Call("POST", f"{PREFIX}/totp/enroll", results.json_body)

    @endpoint
    def totp_confirm(self, code: str) -> Call[None]:
        """Turn TOTP on with a first valid code."""
        return Call("POST", f"{PREFIX}/totp/confirm", results.no_content, json={"code": code})

    @endpoint
    def totp_disable(self, code: str) -> Call[None]:
        """Turn TOTP off (needs a valid code)."""
        return Call("POST", f"{PREFIX}/totp/disable", results.no_content, json={"code": code})

    @endpoint
    def create_principal(
        self,
        name: str,
        kind: str = "user",
        roles: list[str] | None = None,
        password: str | None = None,
    ) -> Call[JsonObject]:
        """A ``user`` or ``service`` principal (the server's default roles when none given)."""
        listed = None if roles is None else list(roles)
        body = drop_none(name=name, kind=kind, roles=listed, password=password)
        return Call("POST", f"{PREFIX}/principals", results.json_object, json=body)

    @endpoint
    def list_principals(self, page: int = 1, page_size: int = 50) -> Call[Page]:
        params = {"page": page, "page_size": page_size}
        return Call("GET", f"{PREFIX}/principals", results.json_body, params=params)

    @endpoint
    def get_principal(self, principal_id: str) -> Call[JsonObject]:
        return Call("GET", _principal(principal_id), results.json_object)

    @endpoint
    def update_principal(
        self,
        principal_id: str,
        roles: list[str] | None = None,
        disabled: bool | None = None,
        password: str | None = None,
    ) -> Call[JsonObject]:
        """Change only the fields given."""
        body = drop_none(
            roles=None if roles is None else list(roles), disabled=disabled, password=password
        )
        return Call("PATCH", _principal(principal_id), results.json_object, json=body)

    @endpoint
    def delete_principal(self, principal_id: str) -> Call[None]:
        return Call("DELETE", _principal(principal_id), results.no_content)

    @endpoint
    def unlock_principal(self, principal_id: str) -> Call[JsonObject]:
        """Clear a lockout after too many failed logins."""
        return Call("POST", f"{_principal(principal_id)}/unlock", results.json_object)

    @endpoint
    def create_key(
        self,
        name: str,
        principal_id: str | None = None,
        expires_in_s: int | None = None,
        roles: list[str] | None = None,
        expires_at: datetime | None = None,
    ) -> Call[CreatedKey]:
        """A new API key (for the caller, or for ``principal_id`` when allowed).

        ``roles`` narrows the key below its principal's roles; give one expiry at most.
        """
        body = drop_none(
            name=name,
            principal_id=principal_id,
            expires_in_s=expires_in_s,
            roles=None if roles is None else list(roles),
            expires_at=None if expires_at is None else expires_at.isoformat(),
        )
        return Call("POST", f"{PREFIX}/keys", results.json_body, json=body)

    @endpoint
    def list_keys(self, page: int | None = None, page_size: int | None = None) -> Call[Page]:
        params = {"page": page, "page_size": page_size}
        return Call("GET", f"{PREFIX}/keys", results.json_body, params=params)

    @endpoint
    def revoke_key(self, key_id: str) -> Call[None]:
        return Call("DELETE", f"{PREFIX}/keys/{path_segment(key_id)}", results.no_content)


def _principal(principal_id: str) -> str:
    return f"{PREFIX}/principals/{path_segment(principal_id)}"
