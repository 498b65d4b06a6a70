"""For the Neo N3 chain tests: a TxSigner backed by the real software enclave, the probe
contract's artefacts, and a node JSON-RPC call for looking behind the adapter's back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp

from nsl.core.enclave import KeyInfo, KeyType, SignAlgorithm
from nsl.enclave.software import SoftwareEnclave

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "neo_n3"
PROBE_NEF = (FIXTURES / "probe.nef").read_bytes()
PROBE_MANIFEST: dict[str, Any] = json.loads((FIXTURES / "probe.manifest.json").read_text())
GAS = 10**8  # datoshi per GAS


class EnclaveSigner:
    """A TxSigner over one enclave key (what the keys service hands a chain)."""

    def __init__(self, enclave: SoftwareEnclave, info: KeyInfo) -> None:
        self.enclave = enclave
        self.info = info
        self.signed: list[bytes] = []  # every message the chain asked us to sign

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
    """One raw JSON-RPC call to the node (independent of our client)."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        answer = await response.json(content_type=None)
    if "error" in answer:
        raise AssertionError(f"{method}: {answer['error']}")
    return answer["result"]
