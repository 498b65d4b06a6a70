"""The endpoint pool of a Neo N3 chain, with every endpoint checked to serve the expected network
(magic) before it is used; the protocol values the node reports (block time, limits).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

from nsl.chains.endpoints import EndpointFailure, EndpointPool, endpoint_name
from nsl.chains.neo_n3.rpc import NeoRpc
from nsl.core.chain import NEO_N3
from nsl.core.clock import Clock
from nsl.core.errors import SettingsError
from nsl.core.metrics import Metrics
from nsl.core.settings import ChainSettings

R = TypeVar("R")


@dataclass(frozen=True)
class Protocol:
    magic: int
    ms_per_block: int
    max_valid_until_increment: int
    address_version: int

    @classmethod
    def from_version(cls, answer: Any) -> Protocol:
        try:
            protocol = answer["protocol"]
            return cls(
                magic=int(protocol["network"]),
                ms_per_block=int(protocol.get("msperblock") or 15_000),
                max_valid_until_increment=int(protocol.get("maxvaliduntilblockincrement") or 5760),
                address_version=int(protocol.get("addressversion") or 0x35),
            )
        except (KeyError, TypeError, ValueError):
            raise EndpointFailure("malformed getversion answer") from None


class WrongNetwork(EndpointFailure):
    """The endpoint serves another Neo N3 network than the one configured."""


def _unique_names(urls: list[str]) -> list[str]:
    names: list[str] = []
    for url in urls:
        name = endpoint_name(url)
        if name in names:
            name = f"{name}#{len(names) + 1}"
        names.append(name)
    return names


class NeoSession:
    """``run(operation, work)`` on a verified endpoint. Endpoints answering with another magic
    than expected count as failed (the pool moves on and opens their circuit)."""

    def __init__(
        self,
        urls: list[str],
        settings: ChainSettings,
        metrics: Metrics,
        clock: Clock,
        expected_magic: int | None,
    ) -> None:
        clients = [NeoRpc(url, timeout=settings.timeout_s) for url in urls]
        self.pool = EndpointPool(
            NEO_N3, list(zip(_unique_names(urls), clients, strict=True)), settings, metrics, clock
        )
        self.expected_magic = expected_magic
        self.protocol: Protocol | None = None
        self.mismatch: str | None = None  # set once an endpoint answered with a wrong magic

    async def run(self, operation: str, work: Callable[[NeoRpc], Awaitable[R]]) -> R:
        async def verified(client: NeoRpc) -> R:
            await self._verify(client)
            return await work(client)

        return await self.pool.run(operation, verified)

    async def _verify(self, client: NeoRpc) -> None:
        if client.features.get("network_checked"):
            return
        protocol = Protocol.from_version(await client.request("getversion"))
        expected = self.expected_magic or (self.protocol.magic if self.protocol else None)
        if expected is not None and protocol.magic != expected:
            self.mismatch = f"an endpoint serves network {protocol.magic}, expected {expected}"
            raise WrongNetwork(self.mismatch)
        if self.protocol is None:
            self.protocol = protocol
        client.features["network_checked"] = True

    async def ensure_protocol(self) -> Protocol:
        if self.protocol is None:
            await self.run("getversion", lambda client: _noop())
        if self.protocol is None:  # a verified endpoint always sets it
            raise EndpointFailure("no protocol information")
        return self.protocol

    async def verify_all(self) -> None:
        """Ask every endpoint for its network now; refuse (SettingsError) a wrong one that
        answers. Unreachable endpoints are left to the pool."""
        for client in self.pool.clients:
            try:
                await self._verify(client)
            except WrongNetwork as exc:
                raise SettingsError(f"{NEO_N3}: {exc}") from None
            except (EndpointFailure, OSError, TimeoutError, aiohttp.ClientError):
                continue

    async def close(self) -> None:
        for client in self.pool.clients:
            await client.close()


async def _noop() -> None:
    return None
