"""Subscription input rules name the field and the rule they enforce."""

from __future__ import annotations

from typing import Any

import pytest

from nsl.core.errors import NslError
from nsl.services.events import rules

ABI: list[dict[str, Any]] = [
    {"type": "event", "name": "Stored", "inputs": []},
    {"type": "function", "name": "get"},
]


def broken(call: Any, *args: Any, **kwargs: Any) -> tuple[int, str, str]:
    with pytest.raises(NslError) as caught:
        call(*args, **kwargs)
    issue = caught.value.fields[0]
    return caught.value.status, issue.field, issue.rule


def test_contract_is_0x_and_40_hex_lowercased() -> None:
    assert rules.contract("0x" + "AB" * 20) == "0x" + "ab" * 20
    assert broken(rules.contract, "0x1234") == (422, "contract", "format")
    n3_address = "NZHf1NJvz1tvELGLWZjhpb3NqZJFFUYpxT"
    assert broken(rules.contract, n3_address) == (422, "contract", "format")


def test_event_names_or_topic_hashes() -> None:
    assert rules.event_name("Stored") == "Stored"
    topic = "0x" + "AA" * 32
    assert rules.event_name(topic) == topic.lower()
    assert broken(rules.event_name, "9lives") == (422, "event_name", "format")
    assert broken(rules.event_name, "a" * 201) == (422, "event_name", "format")


def test_filters_are_few_scalars() -> None:
    assert rules.filters({"key": 5, "who": "0xab", "ok": True}) == {
        "key": 5,
        "who": "0xab",
        "ok": True,
    }
    assert rules.filters(None) == {}
    assert broken(rules.filters, {"k": [1]}) == (422, "filters.k", "scalar")
    assert broken(rules.filters, {f"k{i}": 1 for i in range(17)}) == (422, "filters", "max_items")


def test_confirmations_default_and_range() -> None:
    assert rules.confirmations(None, 2, 10) == 2
    assert rules.confirmations(0, 2, 10) == 0
    assert broken(rules.confirmations, 11, 2, 10) == (422, "confirmations", "range")
    assert broken(rules.confirmations, -1, 2, 10) == (422, "confirmations", "range")


def test_neo_x_needs_an_abi_to_name_or_filter_events() -> None:
    assert rules.abi(None, "neo-x", None, {}) is None
    assert rules.abi(None, "neo-x", "0x" + "aa" * 32, {}) is None
    assert broken(rules.abi, None, "neo-x", "Stored", {}) == (422, "abi", "required")
    assert broken(rules.abi, None, "neo-x", None, {"key": 1}) == (422, "abi", "required")
    assert rules.abi(None, "neo-n3", "Stored", {"key": 1}) is None  # read from the manifest


def test_abi_must_declare_the_named_event() -> None:
    assert rules.abi(ABI, "neo-x", "Stored", {}) == ABI
    assert broken(rules.abi, ABI, "neo-x", "Touched", {}) == (422, "abi", "declares_event")
    assert broken(rules.abi, [ABI[1]], "neo-x", None, {}) == (422, "abi", "declares_events")
    manifest_events = [{"name": "Stored", "parameters": []}]
    assert rules.abi(manifest_events, "neo-n3", "Stored", {}) == manifest_events


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("ftp://example.com/hook", "http_url"),
        ("/relative", "http_url"),
        ("https://user:pw@example.com/", "no_credentials"),
        ("http://127.0.0.1:9000/hook", "public_address"),
        ("http://10.1.2.3/hook", "public_address"),
        ("http://[::1]/hook", "public_address"),
        ("http://169.254.169.254/latest", "public_address"),
        ("http://localhost/hook", "public_address"),
    ],
)
def test_webhook_urls_refused_in_public_mode(url: str, rule: str) -> None:
    assert broken(rules.webhook_url, url, False) == (422, "delivery.url", rule)


def test_private_webhooks_when_allowed_and_public_ones_always() -> None:
    assert rules.webhook_url("http://127.0.0.1:9000/hook", True) == "http://127.0.0.1:9000/hook"
    assert rules.webhook_url("https://hooks.example.com/x", False) == "https://hooks.example.com/x"
    assert broken(rules.webhook_url, None, True) == (422, "delivery.url", "required")


def test_paging() -> None:
    assert rules.paging(3, 50) == 100
    assert broken(rules.paging, 0, 50) == (422, "page", "range")
    assert broken(rules.paging, 1, 501) == (422, "page_size", "range")
