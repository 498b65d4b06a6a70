"""Neo N3 manifests: the deploy-time rules neo-mamba's parser leaves to the node.

:func:`nsl.chains.neo_n3.nef.manifest_bytes` checks the manifest's shape and size; here a
string is parsed first, and the rules ContractManagement would otherwise enforce only in the
node's test run are applied: method offsets inside the NEF script, methods unique by name and
arity, event names unique.
"""

from __future__ import annotations

from typing import Any

import orjson

from nsl.chains.neo_n3.nef import MAX_MANIFEST
from nsl.services.contracts.errors import InvalidInput


def as_object(value: dict[str, Any] | str) -> dict[str, Any]:
    """The manifest as a JSON object (a JSON string is parsed)."""
    if isinstance(value, str):
        if len(value) > 4 * MAX_MANIFEST:
            raise InvalidInput.on("manifest", "length", f"at most {MAX_MANIFEST} bytes")
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise InvalidInput.on("manifest", "json", "is not valid JSON") from None
    if not isinstance(value, dict):
        raise InvalidInput.on("manifest", "object", "must be a JSON object")
    return value


def check_against_script(manifest: dict[str, Any], script_length: int) -> None:
    """Apply the node's deploy rules to a manifest that already parsed."""
    abi = manifest.get("abi")
    methods = abi.get("methods") if isinstance(abi, dict) else None
    if not isinstance(abi, dict) or not isinstance(methods, list):
        raise InvalidInput.on("manifest.abi", "object", "must hold a methods array")
    seen: set[tuple[str, int]] = set()
    for index, method in enumerate(methods):
        path = f"manifest.abi.methods[{index}]"
        offset = method.get("offset") if isinstance(method, dict) else None
        if not isinstance(offset, int) or not 0 <= offset < script_length:
            message = f"must point into the NEF script (0-{script_length - 1})"
            raise InvalidInput.on(f"{path}.offset", "in_script", message)
        key = (str(method.get("name")), len(method.get("parameters") or []))
        if key in seen:
            message = f"{key[0]} with {key[1]} parameters is listed twice"
            raise InvalidInput.on(path, "unique_method", message)
        seen.add(key)
    names: set[str] = set()
    events = abi.get("events") or []
    for index, event in enumerate(events if isinstance(events, list) else []):
        name = str(event.get("name")) if isinstance(event, dict) else ""
        if name in names:
            path = f"manifest.abi.events[{index}]"
            raise InvalidInput.on(path, "unique_event", f"{name} is listed twice")
        names.add(name)
