"""Outbound HTTP to addresses that users give us (webhooks, oracle sources): public targets only.

Each request resolves the host once and refuses it unless every address is public (loopback
and private ranges only when a setting allows them); it then connects to the address it
checked, so a second DNS answer cannot rebind it. Redirects are followed here, each hop
checked the same way; bodies are read up to a cap and never buffered past it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from nsl.core.errors import NslError, ValidationFailed

Resolver = Callable[[str, int], Awaitable[list[str]]]
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class OutboundRefused(NslError):
    """A target we will not contact, or an answer we will not read (code ``outbound.*``)."""

    status = 502
    code = "outbound.refused"
    title = "Outbound request refused"


@dataclass(frozen=True)
class Policy:
    allow_loopback: bool = False
    allow_private: bool = False

    def permits(self, address: str) -> bool:
        ip = ipaddress.ip_address(address)
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip.is_loopback:
            return self.allow_loopback
        if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
            return False
        if ip.is_private or ip.is_link_local or not ip.is_global:
            return self.allow_private and not ip.is_link_local
        return True


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: httpx.Headers
    body: bytes
    url: str


def check_url(url: str, field: str, policy: Policy) -> str:
    """Validate a URL a caller gives (at creation): absolute http(s), no credentials, and a literal
    address or ``localhost`` only when the policy allows it. Names are checked again at use."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed.on(field, "http_url", "an absolute http:// or https:// URL")
    if parts.username or parts.password:
        raise ValidationFailed.on(field, "no_credentials", "no user or password in the URL")
    host = parts.hostname.lower()
    if host == "localhost" or host.endswith(".localhost"):
        literal = "127.0.0.1"
    else:
        try:
            literal = str(ipaddress.ip_address(host))
        except ValueError:
            return url
    if not policy.permits(literal):
        raise ValidationFailed.on(
            field, "public_address", "loopback, private and link-local targets are not allowed"
        )
    return url


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


class SafeHttp:
    def __init__(
        self,
        policy: Policy,
        *,
        timeout_s: float = 10.0,
        max_bytes: int = 1 << 20,
        max_redirects: int = 3,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.policy = policy
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self._resolve = resolver
        self._client = httpx.AsyncClient(follow_redirects=False, trust_env=False)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        timeout_s: float | None = None,
        max_bytes: int | None = None,
    ) -> Fetched:
        """One request (and its redirects, for GET and HEAD), every hop to a permitted address."""
        limit = max_bytes or self.max_bytes
        timeout = timeout_s or self.timeout_s
        try:
            return await asyncio.wait_for(
                self._follow(method, url, headers or {}, content, limit), timeout
            )
        except TimeoutError as exc:
            raise OutboundRefused(
                f"no complete answer within {timeout:g}s", code="outbound.timeout"
            ) from exc

    async def _follow(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None, limit: int
    ) -> Fetched:
        for _ in range(self.max_redirects + 1):
            fetched = await self._once(method, url, headers, content, limit)
            location = fetched.headers.get("location")
            if fetched.status not in REDIRECTS or not location or method not in ("GET", "HEAD"):
                return fetched
            url = urljoin(url, location)
        raise OutboundRefused(
            f"more than {self.max_redirects} redirects", code="outbound.redirects"
        )

    async def _once(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None, limit: int
    ) -> Fetched:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OutboundRefused("not an http(s) URL", code="outbound.scheme")
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = await self._checked_address(host, port)
        target = httpx.URL(url).copy_with(host=address)
        request = self._client.build_request(
            method,
            target,
            headers={**headers, "host": parts.netloc.rsplit("@", 1)[-1]},
            content=content,
            extensions={"sni_hostname": host} if parts.scheme == "https" else {},
        )
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise OutboundRefused(
                f"{host} did not answer: {type(exc).__name__}", code="outbound.unreachable"
            ) from exc
        try:
            body = await _read_capped(response, limit)
        finally:
            await response.aclose()
        return Fetched(response.status_code, response.headers, body, url)

    async def _checked_address(self, host: str, port: int) -> str:
        try:
            literal = str(ipaddress.ip_address(host))
            addresses = [literal]
        except ValueError:
            try:
                addresses = await self._resolve(host, port)
            except OSError as exc:
                raise OutboundRefused(
                    f"{host} does not resolve", code="outbound.unresolvable"
                ) from exc
        refused = [a for a in addresses if not self.policy.permits(a)]
        if refused or not addresses:
            raise OutboundRefused(
                f"{host} resolves to a loopback, private or link-local address",
                code="outbound.private_address",
            )
        return addresses[0]


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise OutboundRefused(f"the answer is larger than {limit} bytes", code="outbound.too_large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise OutboundRefused(
                f"the answer is larger than {limit} bytes", code="outbound.too_large"
            )
        chunks.append(chunk)
    return b"".join(chunks)
