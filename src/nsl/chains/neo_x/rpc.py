"""One Neo X JSON-RPC endpoint: web3.py's ``AsyncHTTPProvider`` without middleware or retries.

Raw requests keep the node's answer intact (revert data, error codes) and send exactly one
HTTP request per call: no ``eth_chainId`` probes from web3's validation middleware, no hidden
retries (the endpoint pool retries). Transport problems become :class:`EndpointFailure`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from web3 import AsyncHTTPProvider, AsyncWeb3
from web3.types import RPCEndpoint

from nsl.chains.endpoints import EndpointFailure, EndpointPool
from nsl.core.chain import ChainRejected

# web3 logs the full endpoint URL (which may carry an API key) at debug and info level.
for _name in ("web3.providers.AsyncHTTPProvider", "web3._utils.http_session_manager"):
    logging.getLogger(_name).setLevel(logging.WARNING)

T = TypeVar("T")

# JSON-RPC error codes that describe the endpoint (overloaded, rate-limited), not the request.
_ENDPOINT_CODES = frozenset({-32005, 429})


@dataclass(frozen=True)
class RpcErrorBody:
    code: int
    message: str
    data: Any


class RpcError(ChainRejected):
    """The node answered with a JSON-RPC error about the request (definitive: no failover)."""

    def __init__(self, method: str, body: RpcErrorBody) -> None:
        super().__init__(f"{method}: {body.message}"[:500])
        self.method = method
        self.body = body

    @property
    def revert_data(self) -> bytes | None:
        """The revert payload when the error is an EVM revert (geth: ``data`` is hex; Hardhat:
        ``data.data``), else None."""
        data = self.body.data
        if isinstance(data, dict):
            data = data.get("data")
        if isinstance(data, str) and data[:2] == "0x":
            try:
                return bytes.fromhex(data[2:])
            except ValueError:
                return None
        return None

    @property
    def is_revert(self) -> bool:
        return self.revert_data is not None or "revert" in self.body.message.lower()


class EvmRpc:
    """JSON-RPC over HTTP to one endpoint. ``repr`` shows only ``name`` (no credentials)."""

    def __init__(self, url: str, name: str, timeout_s: float) -> None:
        self.name = name
        provider = AsyncHTTPProvider(
            url,
            request_kwargs={"timeout": aiohttp.ClientTimeout(total=timeout_s)},
            exception_retry_configuration=None,
        )
        self.web3 = AsyncWeb3(provider, middleware=[])
        self._provider = provider
        self._session_cached = False

    async def _keep_alive(self) -> None:
        """web3's own session closes the connection after every request (``force_close``):
        give it one that keeps connections alive (opened in the running loop, on first use)."""
        if not self._session_cached:
            self._session_cached = True
            await self._provider.cache_async_session(aiohttp.ClientSession(raise_for_status=True))

    def __repr__(self) -> str:
        return f"EvmRpc({self.name})"

    async def request(self, method: str, *params: Any) -> Any:
        """The ``result`` of ``method``; RpcError for the node's error answer."""
        await self._keep_alive()
        try:
            answer: Any = await self.web3.provider.make_request(RPCEndpoint(method), list(params))
        except aiohttp.ClientResponseError as exc:
            raise EndpointFailure(f"HTTP {exc.status}") from None
        except ValueError:  # undecodable body (not JSON, not UTF-8)
            raise EndpointFailure("malformed JSON-RPC answer") from None
        if not isinstance(answer, dict):
            raise EndpointFailure("malformed JSON-RPC answer")
        error = answer.get("error")
        if error is not None:
            body = _error_body(error)
            if body.code in _ENDPOINT_CODES:
                raise EndpointFailure(f"node error {body.code}: {body.message[:120]}")
            raise RpcError(method, body)
        if "result" not in answer:
            raise EndpointFailure("JSON-RPC answer without result")
        return answer["result"]

    async def close(self) -> None:
        await self._provider.disconnect()
        self._session_cached = False


def _error_body(error: Any) -> RpcErrorBody:
    if not isinstance(error, dict):
        raise EndpointFailure("malformed JSON-RPC error")
    code = error.get("code")
    message = error.get("message")
    return RpcErrorBody(
        code=code if isinstance(code, int) else 0,
        message=message if isinstance(message, str) else "unknown error",
        data=error.get("data"),
    )


def quantity(value: Any) -> int:
    """A JSON-RPC hex quantity; a malformed one is the endpoint's fault."""
    if isinstance(value, str) and value[:2] == "0x":
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise EndpointFailure("malformed quantity in the node's answer")


def hex_bytes(value: Any) -> bytes:
    """JSON-RPC ``DATA`` (0x hex); a malformed one is the endpoint's fault."""
    if isinstance(value, str) and value[:2] == "0x" and len(value) % 2 == 0:
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    raise EndpointFailure("malformed data in the node's answer")


class PooledRpc:
    """Requests through the endpoint pool. Parsing runs inside each attempt, so a malformed
    answer (EndpointFailure) fails over to the next endpoint like a transport error."""

    def __init__(self, pool: EndpointPool[EvmRpc]) -> None:
        self.pool = pool

    async def __call__(self, method: str, *params: Any) -> Any:
        return await self.pool.run(method, lambda client: client.request(method, *params))

    async def parsed(self, parse: Callable[[Any], T], method: str, *params: Any) -> T:
        async def work(client: EvmRpc) -> T:
            return parse(await client.request(method, *params))

        return await self.pool.run(method, work)

    async def number(self, method: str, *params: Any) -> int:
        return await self.parsed(quantity, method, *params)
