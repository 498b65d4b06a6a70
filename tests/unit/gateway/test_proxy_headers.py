"""What the gateway forwards: the caller's headers minus hop-by-hop ones, and the client address
the service should count limits by (a forwarded chain only when the gateway trusts it)."""

from __future__ import annotations

from nsl.gateway.proxy import _request_headers
from nsl.gateway.rollout_gate import service_of


def scope(headers: list[tuple[bytes, bytes]]) -> dict[str, object]:
    return {"headers": headers, "client": ("198.51.100.4", 4000), "scheme": "https"}


def as_dict(headers: list[tuple[bytes, bytes]]) -> dict[bytes, list[bytes]]:
    found: dict[bytes, list[bytes]] = {}
    for name, value in headers:
        found.setdefault(name, []).append(value)
    return found


def test_hop_by_hop_headers_are_dropped_and_auth_kept() -> None:
    sent = as_dict(
        _request_headers(
            scope(
                [
                    (b"connection", b"keep-alive"),
                    (b"host", b"api.example.org"),
                    (b"x-api-key", b"k"),
                    (b"transfer-encoding", b"chunked"),
                ]
            ),
            trust_forwarded_for=False,
        )
    )
    assert b"connection" not in sent and b"host" not in sent and b"transfer-encoding" not in sent
    assert sent[b"x-api-key"] == [b"k"]
    assert sent[b"x-forwarded-proto"] == [b"https"]


def test_an_untrusted_forwarded_chain_is_replaced_by_the_peer_address() -> None:
    spoofed = scope([(b"x-forwarded-for", b"10.0.0.1")])
    assert as_dict(_request_headers(spoofed, trust_forwarded_for=False))[b"x-forwarded-for"] == [
        b"198.51.100.4"
    ]
    assert as_dict(_request_headers(spoofed, trust_forwarded_for=True))[b"x-forwarded-for"] == [
        b"10.0.0.1"
    ]


def test_only_catalogue_services_are_routed() -> None:
    assert service_of("/api/v1/keys/abc") == "keys"
    assert service_of("/api/v1/keys") == "keys"
    assert service_of("/api/v1/chains") is None
    assert service_of("/api/v1/deploy/status") is None
    assert service_of("/health") is None
