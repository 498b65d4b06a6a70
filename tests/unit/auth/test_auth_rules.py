"""Input rules, credentials and password hashing of the auth service."""

from __future__ import annotations

import hashlib

import pytest
from argon2 import PasswordHasher
from argon2.low_level import Type

from nsl.core.errors import ValidationFailed
from nsl.services.auth import credentials, policy
from nsl.services.auth.passwords import Passwords


@pytest.mark.parametrize("name", ["ab", "Alice", "has space", "x" * 65, "émile", "a/b"])
def test_bad_names_are_refused_naming_the_field(name: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        policy.check_name(name)
    assert refused.value.fields[0].field == "name"


@pytest.mark.parametrize("name", ["abc", "svc.oracle-1", "a_b", "x" * 64])
def test_good_names_pass(name: str) -> None:
    assert policy.check_name(name) == name


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("Short-1!", "at least 12"),
        ("alllowercase-12", "upper-case"),
        ("ALLUPPERCASE-12", "lower-case"),
        ("No-Digits-Here!", "digit"),
        ("NoSymbols12345", "not a letter or digit"),
    ],
)
def test_password_rules_say_what_is_missing(password: str, missing: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        policy.check_password(password, 12)
    assert refused.value.fields[0].field == "password"
    assert missing in refused.value.fields[0].message
    assert password not in refused.value.detail


def test_roles_are_known_sorted_and_unique() -> None:
    assert policy.check_roles(["user", "admin", "user"]) == ["admin", "user"]
    with pytest.raises(ValidationFailed):
        policy.check_roles(["root"])
    with pytest.raises(ValidationFailed):
        policy.check_roles([])


def test_page_bounds() -> None:
    assert policy.PageRequest(3, 20).offset == 40
    for page, size, field in ((0, 10, "page"), (1, 0, "page_size"), (1, 501, "page_size")):
        with pytest.raises(ValidationFailed) as refused:
            policy.PageRequest(page, size)
        assert refused.value.fields[0].field == field


def test_api_key_format_prefix_and_hash() -> None:
    raw = credentials.new_api_key()
    head, ident, secret = raw.split("_", 2)
    assert head == "nsl" and len(ident) == 8 and len(secret) == 43
    assert credentials.display_prefix(raw) == f"nsl_{ident}"
    assert credentials.digest(raw) == hashlib.sha256(raw.encode()).hexdigest()
    assert credentials.new_api_key() != raw
    assert credentials.display_prefix("operator-chosen-key-0123456789-abcdef") == "oper"


def test_explicit_keys_must_be_long_and_plain() -> None:
    assert credentials.check_explicit_key("k" * 32) == "k" * 32
    for bad in ("k" * 31, "k" * 20 + " " + "k" * 20, "k" * 600):
        with pytest.raises(ValidationFailed):
            credentials.check_explicit_key(bad)


async def test_default_password_hash_is_argon2id_with_rfc9106_parameters() -> None:
    passwords = Passwords()
    hashed = await passwords.hash("Correct-Horse-42!")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PasswordHasher(type=Type.ID).verify(hashed, "Correct-Horse-42!")
    assert await passwords.verify(hashed, "Correct-Horse-42!")
    assert not await passwords.verify(hashed, "correct-horse-42!")
    assert not await passwords.verify(None, "Correct-Horse-42!")


def test_reprs_never_show_credentials() -> None:
    from nsl.services.auth.mfa import TotpEnrollment
    from nsl.services.auth.schemas import (
        CodeRequest,
        KeyCreatedOut,
        TokenOut,
        TokenRequest,
        TotpEnrollOut,
    )
    from nsl.services.auth.sessions import TokenPair

    secret = "SENSITIVE-VALUE-0123456789"
    shown = [
        TokenRequest(api_key=secret, password=secret, totp_code=secret),  # type: ignore[arg-type]
        CodeRequest(code=secret),
        TokenOut(access_token=secret, expires_in=1, refresh_token=secret),
        TotpEnrollOut(secret=secret, otpauth_uri=secret),
        KeyCreatedOut(
            id="k", key=secret, prefix="p", principal_id="p", roles=None, expires_at=None
        ),
        TokenPair(secret, 1, secret),
        TotpEnrollment(secret, secret),
    ]
    for value in shown:
        assert secret not in repr(value) and secret not in str(value)
