"""Outbound requests to caller-given URLs: public targets only, every redirect hop checked, the
body capped; against a real HTTP server on loopback (allowed only where the policy says so)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nsl.adapters.safehttp import OutboundRefused, Policy, SafeHttp, check_url
from nsl.core.errors import ValidationFailed

LOOPBACK_ONLY = Policy(allow_loopback=True)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return
        if self.path == "/to-self":
            self.send_response(302)
            self.send_header("Location", "/ok")
            self.end_headers()
            return
        body = b"x" * 5000 if self.path == "/big" else b'{"price": "1.5"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


async def test_loopback_is_refused_unless_the_policy_allows_it(server: str) -> None:
    strict = SafeHttp(Policy())
    with pytest.raises(OutboundRefused) as refused:
        await strict.request("GET", server + "/ok")
    assert refused.value.code == "outbound.private_address"
    await strict.aclose()
    allowed = SafeHttp(LOOPBACK_ONLY)
    fetched = await allowed.request("GET", server + "/ok")
    assert (fetched.status, fetched.body) == (200, b'{"price": "1.5"}')
    await allowed.aclose()


async def test_every_redirect_hop_is_checked(server: str) -> None:
    client = SafeHttp(LOOPBACK_ONLY)
    assert (await client.request("GET", server + "/to-self")).body == b'{"price": "1.5"}'
    with pytest.raises(OutboundRefused) as refused:
        await client.request("GET", server + "/to-metadata")
    assert refused.value.code == "outbound.private_address"
    await client.aclose()


async def test_a_body_over_the_cap_is_refused(server: str) -> None:
    client = SafeHttp(LOOPBACK_ONLY, max_bytes=1000)
    with pytest.raises(OutboundRefused) as refused:
        await client.request("GET", server + "/big")
    assert refused.value.code == "outbound.too_large"
    await client.aclose()


async def test_a_name_that_resolves_to_a_private_address_is_refused() -> None:
    async def rebinding(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.5"]

    client = SafeHttp(Policy(), resolver=rebinding)
    with pytest.raises(OutboundRefused) as refused:
        await client.request("GET", "https://prices.example/v1")
    assert refused.value.code == "outbound.private_address"
    await client.aclose()


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("ftp://example.org/x", "http_url"),
        ("https://user:pw@example.org/", "no_credentials"),
        ("http://127.0.0.1:8080/", "public_address"),
        ("http://localhost/", "public_address"),
        ("http://[::ffff:10.0.0.1]/", "public_address"),
        ("http://169.254.169.254/", "public_address"),
    ],
)
def test_check_url_names_the_field_and_rule(url: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_url(url, "source.url", Policy())
    assert (caught.value.fields[0].field, caught.value.fields[0].rule) == ("source.url", rule)


def test_check_url_accepts_public_names_and_allowed_loopback() -> None:
    assert check_url("https://api.example.org/p", "u", Policy()) == "https://api.example.org/p"
    assert check_url("http://127.0.0.1:9/", "u", LOOPBACK_ONLY) == "http://127.0.0.1:9/"
