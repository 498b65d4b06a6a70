"""neo-mamba's JSON-RPC client, made fit for an endpoint pool: its HTTP session is opened on first
use (construction does no I/O), transport faults become ``EndpointFailure`` and the node's own
errors become :class:`NeoRpcError` (a ``chain.rejected``) carrying the Neo RPC error code.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from neo3.api.noderpc import NeoRpcClient

from nsl.chains.endpoints import EndpointFailure
from nsl.core.chain import ChainRejected

INTERNAL_ERROR = -32603
METHOD_NOT_FOUND = -32601
MAX_MESSAGE = 300

# Neo N3 RPC error codes (neo-project/proposals#156, as neo-go and recent C# nodes answer)
GENERIC_ERROR = -100  # older nodes: any error, the message says which
UNKNOWN_BLOCK = -101
UNKNOWN_CONTRACT = -102
UNKNOWN_TRANSACTION = -103
UNKNOWN_SCRIPT_CONTAINER = -105
UNKNOWN_HEIGHT = -109
ALREADY_EXISTS = -501
ALREADY_IN_POOL = -503


def as_int(value: Any, what: str) -> int:
    """An integer from a node's answer (number or decimal string); EndpointFailure otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise EndpointFailure(f"malformed answer: {what} is not an integer")
    try:
        return int(value)
    except ValueError:
        raise EndpointFailure(f"malformed answer: {what} is not an integer") from None


def field(answer: Any, key: str) -> Any:
    """``answer[key]`` of an object answer; EndpointFailure when the node sent another shape."""
    if not isinstance(answer, dict) or key not in answer:
        raise EndpointFailure(f"malformed answer: no {key!r}")
    return answer[key]


class NeoRpcError(ChainRejected):
    """The node answered with a JSON-RPC error about the request."""

    def __init__(self, rpc_code: int, message: str) -> None:
        super().__init__(f"node refused: {message[:MAX_MESSAGE]} (code {rpc_code})")
        self.rpc_code = rpc_code
        self.rpc_message = message[:MAX_MESSAGE]


class NeoRpc(NeoRpcClient):
    """One endpoint. ``url`` may carry an API key: it is never logged or shown."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        # the base class would open an aiohttp session here, outside any event loop
        self.url = url
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self.features: dict[str, bool] = {}  # optional RPC methods this node has (or lacks)

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    @session.setter
    def session(self, value: aiohttp.ClientSession) -> None:
        self._session = value

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def __repr__(self) -> str:
        return "NeoRpc(<endpoint>)"

    async def _post(self, json: dict[str, Any]) -> Any:
        """The JSON-RPC answer; a proxy's or server's failure (5xx, 429, HTML) is the
        endpoint's fault, a JSON-RPC error body (whatever its HTTP status) is the node's word."""
        async with self.session.post(self.url, json=json) as response:
            status = response.status
            if status >= 500 or status in (408, 429):
                raise EndpointFailure(f"HTTP {status}")
            try:
                body = await response.json(content_type=None)
            except ValueError:
                raise EndpointFailure(f"HTTP {status}, answer is not JSON") from None
        if not isinstance(body, dict) or not ("result" in body or "error" in body):
            raise EndpointFailure(f"HTTP {status}, answer is not a JSON-RPC response")
        if status != 200 and "error" not in body:
            raise EndpointFailure(f"HTTP {status}")
        return body

    async def request(self, method: str, params: list[Any] | None = None) -> Any:
        """The ``result`` of one call, as JSON."""
        request = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
        body = await self._post(request)
        error = body.get("error")
        if error is not None:
            if not isinstance(error, dict):
                raise EndpointFailure("malformed JSON-RPC error")
            code, message = error.get("code"), str(error.get("message", ""))
            data = error.get("data")
            if data:
                message = f"{message}: {data}"
            if not isinstance(code, int) or code == INTERNAL_ERROR:
                raise EndpointFailure(f"node error: {message[:MAX_MESSAGE]}")
            raise NeoRpcError(code, message)
        return body["result"]

    async def _do_post(
        self,
        method: str,
        params: list[Any] | None = None,
        id: int = 0,  # the base class's signature
        jsonrpc_version: str = "2.0",
    ) -> Any:
        return await self.request(method, params)
