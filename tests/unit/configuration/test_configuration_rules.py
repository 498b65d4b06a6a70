"""Key, prefix and environment rules, and which key names are sensitive."""

from __future__ import annotations

import pytest

from nsl.core.errors import ValidationFailed
from nsl.services.configuration import rules


def broken_rule(call: object, *args: object) -> tuple[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        call(*args)  # type: ignore[operator]
    issue = caught.value.fields[0]
    return issue.field, issue.rule


@pytest.mark.parametrize(
    "key",
    ["a", "app/db.pool", "A-b_c.d/e", "x" * 255, "history", "history/x", "exports", "my/export"],
)
def test_valid_keys(key: str) -> None:
    assert rules.check_key(key) == key


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("", "length"),
        ("x" * 256, "length"),
        ("a b", "charset"),
        ("a\x00b", "charset"),
        ("a:b", "charset"),
        ("/a", "slashes"),
        ("a/", "slashes"),
        ("a//b", "slashes"),
        ("a/../b", "dot_segments"),
        ("..", "dot_segments"),
        ("a/./b", "dot_segments"),
        ("a/history", "reserved_suffix"),
        ("schemas", "reserved"),
        ("export", "reserved"),
        ("import", "reserved"),
    ],
)
def test_invalid_keys_name_the_rule(key: str, rule: str) -> None:
    assert broken_rule(rules.check_key, key) == ("key", rule)


def test_prefixes_may_end_in_a_separator() -> None:
    assert rules.check_prefix("svc/") == "svc/"
    assert rules.check_prefix("svc.db.") == "svc.db."
    assert broken_rule(rules.check_prefix, "svc//") == ("prefix", "slashes")
    assert broken_rule(rules.check_prefix, "") == ("prefix", "length")


def test_environment_defaults_and_allowed_values() -> None:
    assert rules.check_environment(None, "test") == "test"
    assert rules.check_environment("staging", "test") == "staging"
    assert broken_rule(rules.check_environment, "qa", "test") == ("environment", "allowed_values")


def test_words_split_at_separators_and_camel_case() -> None:
    assert rules.key_words("svc/stripeApiKey") == ["svc", "stripe", "api", "key"]
    assert rules.key_words("OAuthTOKEN.x-y_z") == ["o", "auth", "token", "x", "y", "z"]
    assert rules.key_words("APIKey2") == ["api", "key", "2"]


@pytest.mark.parametrize(
    "key",
    [
        "db.password",
        "db/dbPassword",
        "smtp.passwd",
        "client_secret",
        "github/token",
        "accessTokens",
        "aws.credentials",
        "signing.private_key",
        "signing/privateKey",
        "tls/private-key",
        "tls/privatekey.pem",
        "db.connection_string",
        "db/ConnectionString",
        "sentry.dsn",
        "stripe.api_key",
        "STRIPE_APIKEY",
        "x/api-key",
    ],
)
def test_sensitive_names(key: str) -> None:
    assert rules.sensitive_name(key)


@pytest.mark.parametrize(
    "key",
    [
        "tls.key",
        "cache/keys",
        "keyboard.layout",
        "database.url",
        "auth.issuer",
        "api.url",
        "private.network",
        "connection.timeout",
        "monkey.business",
        "certificate.path",
    ],
)
def test_ordinary_names(key: str) -> None:
    assert not rules.sensitive_name(key)
