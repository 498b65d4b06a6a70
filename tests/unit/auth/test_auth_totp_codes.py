"""TOTP code matching, checked against pyotp computing codes independently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp

from nsl.services.auth import totp

NOW = datetime(2026, 3, 1, 12, 0, 10, tzinfo=UTC)


def test_current_and_adjacent_steps_match_and_name_their_step() -> None:
    secret = totp.new_secret()
    reference = pyotp.TOTP(secret)
    step = int(NOW.timestamp()) // 30
    for offset in (-1, 0, 1):
        code = reference.at(NOW + timedelta(seconds=30 * offset))
        assert totp.matching_step(secret, code, NOW) == step + offset


def test_codes_two_steps_away_and_malformed_codes_do_not_match() -> None:
    secret = totp.new_secret()
    reference = pyotp.TOTP(secret)
    assert totp.matching_step(secret, reference.at(NOW - timedelta(seconds=60)), NOW) is None
    assert totp.matching_step(secret, reference.at(NOW + timedelta(seconds=60)), NOW) is None
    for bad in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert totp.matching_step(secret, bad, NOW) is None


def test_only_newer_steps_are_fresh() -> None:
    assert totp.step_is_fresh(10, None)
    assert totp.step_is_fresh(11, 10)
    assert not totp.step_is_fresh(10, 10)
    assert not totp.step_is_fresh(9, 10)


def test_secret_has_160_bits_and_uri_names_the_account() -> None:
    secret = totp.new_secret()
    assert len(secret) == 32
    parsed = pyotp.parse_uri(totp.provisioning_uri(secret, "alice"))
    assert parsed.secret == secret and parsed.name == "alice" and parsed.issuer == totp.ISSUER
