"""Smart-contract endpoints (``/api/v1/contracts/{chain}``): deploy, invoke, call, estimate,
deployments, contract metadata, events and invocation history."""

from __future__ import annotations

import base64
from typing import Any

from nsl.client import results
from nsl.client.base import Call, drop_none, endpoint, path_segment
from nsl.client.results import JsonObject, Page

PREFIX = "/api/v1/contracts"
_NO_DATA = object()


def _chain(chain: str, *rest: str) -> str:
    return "/".join([PREFIX, path_segment(chain), *(path_segment(p) for p in rest)])


def _call_body(
    contract: str, method: str, args: list[Any] | None, abi: list[Any] | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"contract": contract, "method": method, "args": args or []}
    if abi is not None:
        body["abi"] = abi
    return body


class ContractsEndpoints:
    @endpoint
    def deploy_neo_n3_contract(
        self,
        key_id: str,
        nef: bytes,
        manifest: dict[str, Any] | str,
        data: Any = _NO_DATA,
        name: str | None = None,
    ) -> Call[JsonObject]:
        """Deploy a NEF + manifest signed by ``key_id`` (a secp256r1 key); ``data`` goes to
        ``_deploy``. ``status`` is ``succeeded`` or ``failed`` (with ``error``)."""
        body: dict[str, Any] = {
            "key_id": key_id,
            "nef": base64.b64encode(nef).decode(),
            "manifest": manifest,
        }
        if data is not _NO_DATA:
            body["data"] = data
        body.update(drop_none(name=name))
        return Call("POST", _chain("neo-n3", "deploy"), results.json_object, json=body)

    @endpoint
    def deploy_neo_x_contract(
        self,
        key_id: str,
        bytecode: bytes | str,
        abi: list[Any],
        args: list[Any] | None = None,
        name: str | None = None,
    ) -> Call[JsonObject]:
        """Deploy init code (bytes or 0x-hex) with its ABI, signed by ``key_id`` (secp256k1)."""
        code = "0x" + bytecode.hex() if isinstance(bytecode, bytes) else bytecode
        body: dict[str, Any] = {"key_id": key_id, "bytecode": code, "abi": abi, "args": args or []}
        body.update(drop_none(name=name))
        return Call("POST", _chain("neo-x", "deploy"), results.json_object, json=body)

    @endpoint
    def invoke_contract(
        self,
        chain: str,
        contract: str,
        method: str,
        key_id: str,
        args: list[Any] | None = None,
        abi: list[Any] | None = None,
    ) -> Call[JsonObject]:
        """A transaction signed by ``key_id``, after its block: ``tx_hash``, ``block``,
        ``state``, ``status``, ``gas_consumed``, ``fee``, ``events``, ``invocation_id``."""
        body = {**_call_body(contract, method, args, abi), "key_id": key_id}
        return Call("POST", _chain(chain, "invoke"), results.json_object, json=body)

    @endpoint
    def call_contract(
        self,
        chain: str,
        contract: str,
        method: str,
        args: list[Any] | None = None,
        abi: list[Any] | None = None,
    ) -> Call[JsonObject]:
        """Read-only: ``{"state", "result": [{type, value, text?}], "gas_consumed",
        "exception"}``."""
        body = _call_body(contract, method, args, abi)
        return Call("POST", _chain(chain, "call"), results.json_object, json=body)

    @endpoint
    def estimate_contract(
        self,
        chain: str,
        contract: str,
        method: str,
        key_id: str,
        args: list[Any] | None = None,
        abi: list[Any] | None = None,
    ) -> Call[JsonObject]:
        """What ``invoke_contract`` would cost with ``key_id``'s account as the sender."""
        body = {**_call_body(contract, method, args, abi), "key_id": key_id}
        return Call("POST", _chain(chain, "estimate"), results.json_object, json=body)

    @endpoint
    def list_contracts(
        self, chain: str, name: str | None = None, page: int = 1, page_size: int = 50
    ) -> Call[Page]:
        """Deployments we made on ``chain``, newest first."""
        params = {"name": name, "page": page, "page_size": page_size}
        return Call("GET", _chain(chain), results.json_body, params=params)

    @endpoint
    def get_contract(self, chain: str, contract: str) -> Call[JsonObject]:
        """``{"deployment": our record or null, "contract_info": what the chain says}``."""
        return Call("GET", _chain(chain, contract), results.json_object)

    @endpoint
    def contract_events(
        self,
        chain: str,
        contract: str,
        from_block: int | None = None,
        to_block: int | None = None,
        name: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Call[Page]:
        """Events in ``from_block..to_block`` (at most 10,000 blocks; default the latest 1,000)."""
        params = {
            "from_block": from_block,
            "to_block": to_block,
            "name": name,
            "page": page,
            "page_size": page_size,
        }
        return Call("GET", _chain(chain, contract, "events"), results.json_body, params=params)

    @endpoint
    def contract_invocations(
        self, chain: str, contract: str, page: int = 1, page_size: int = 50
    ) -> Call[Page]:
        """Our invocations of ``contract``, newest first."""
        params = {"page": page, "page_size": page_size}
        return Call("GET", _chain(chain, contract, "invocations"), results.json_body, params=params)
