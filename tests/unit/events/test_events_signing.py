"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>", checked with the stdlib directly."""

from __future__ import annotations

import hashlib
import hmac

from nsl.services.events import signing


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    secret, body, stamp = "whsec_test", b'{"event_id":"neo-x:0xab:3"}', 1_767_225_600
    expected = hmac.new(secret.encode(), b"1767225600." + body, hashlib.sha256).hexdigest()
    assert signing.signature(secret, stamp, body) == f"v1={expected}"


def test_headers_carry_timestamp_signature_and_stable_ids() -> None:
    headers = signing.headers("s", 42, b"{}", "neo-n3:0x01:0", "D1", "event")
    assert headers == {
        "X-NSL-Timestamp": "42",
        "X-NSL-Signature": signing.signature("s", 42, b"{}"),
        "X-NSL-Event-Id": "neo-n3:0x01:0",
        "X-NSL-Delivery-Id": "D1",
        "X-NSL-Event-Kind": "event",
    }


def test_verify_refuses_another_body_timestamp_or_secret() -> None:
    good = signing.signature("s", 10, b"body")
    assert signing.verify("s", 10, b"body", good)
    assert not signing.verify("s", 10, b"bodY", good)
    assert not signing.verify("s", 11, b"body", good)
    assert not signing.verify("t", 10, b"body", good)


def test_new_secrets_are_long_random_and_distinct() -> None:
    first, second = signing.new_secret(), signing.new_secret()
    assert first != second
    assert first.startswith("whsec_") and len(first) >= 6 + 43
