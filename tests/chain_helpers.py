"""What chain tests share: a transaction signer over a real enclave key, and raw JSON-RPC to a
node (the test's own view, independent of our chain clients)."""

from __future__ import annotations

from typing import Any

import aiohttp

from nsl.core.enclave import KeyInfo, KeyType, SignAlgorithm
from nsl.enclave.software import SoftwareEnclave


class EnclaveSigner:
    """A :class:`~nsl.core.chain.TxSigner` whose key is generated and used in the enclave
    (what the keys service hands a chain); ``signed`` lists every message it signed."""

    def __init__(self, enclave: SoftwareEnclave, info: KeyInfo) -> None:
        self.enclave = enclave
        self.info = info
        self.signed: list[bytes] = []

    @property
    def key_type(self) -> KeyType:
        return self.info.key_type

    @property
    def public_key(self) -> bytes:
        return self.info.public_key

    async def sign(self, message: bytes, algorithm: SignAlgorithm) -> bytes:
        self.signed.append(message)
        return await self.enclave.sign(self.info.key_ref, message, algorithm)


async def node_rpc(url: str, method: str, *params: Any) -> Any:
    """One JSON-RPC call straight to a node; an error answer fails the test."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        answer = await response.json(content_type=None)
    if "error" in answer:
        raise AssertionError(f"{method}: {answer['error']}")
    return answer["result"]
