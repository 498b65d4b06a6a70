"""NEF files and manifests checked before anything is sent, the deploy script, and the hash a
deployed contract gets (sender, NEF checksum, manifest name), as the node computes it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from neo3.contracts import manifest as neo_manifest
from neo3.contracts.contract import CONTRACT_HASHES
from neo3.contracts.utils import get_contract_hash
from neo3.core import types

from nsl.chains.neo_n3.params import emit_call
from nsl.core.errors import ValidationFailed

NEF_MAGIC = 0x3346454E  # "NEF3"
COMPILER_FIELD = 64
MAX_SOURCE = 256
MAX_TOKENS = 128
MAX_METHOD_NAME = 32
MAX_SCRIPT = 512 * 1024
MAX_MANIFEST = 0xFFFF


@dataclass(frozen=True)
class NefInfo:
    compiler: str
    checksum: int
    script: bytes


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, count: int) -> bytes:
        if self.pos + count > len(self.data):
            raise ValueError("truncated")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def uint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "little")

    def var_int(self) -> int:
        first = self.uint(1)
        return first if first < 0xFD else self.uint({0xFD: 2, 0xFE: 4, 0xFF: 8}[first])

    def var_bytes(self, maximum: int) -> bytes:
        size = self.var_int()
        if size > maximum:
            raise ValueError(f"a field is longer than {maximum} bytes")
        return self.take(size)


def _bad_nef(message: str) -> ValidationFailed:
    return ValidationFailed.on("nef", "neo_nef", message)


def parse_nef(data: bytes) -> NefInfo:
    """The NEF's compiler, checksum and script; ValidationFailed naming ``nef`` if malformed."""
    reader = _Reader(bytes(data))
    try:
        if reader.uint(4) != NEF_MAGIC:
            raise _bad_nef("not a NEF file (magic is not NEF3)")
        compiler = reader.take(COMPILER_FIELD).rstrip(b"\x00").decode()
        reader.var_bytes(MAX_SOURCE)
        if reader.uint(1) != 0:
            raise _bad_nef("reserved byte is not zero")
        token_count = reader.var_int()
        if token_count > MAX_TOKENS:
            raise _bad_nef(f"more than {MAX_TOKENS} method tokens")
        for _ in range(token_count):
            reader.take(20)
            reader.var_bytes(MAX_METHOD_NAME)
            reader.take(2 + 1 + 1)
        if reader.uint(2) != 0:
            raise _bad_nef("reserved bytes are not zero")
        script = reader.var_bytes(MAX_SCRIPT)
        body_end = reader.pos
        checksum = reader.uint(4)
    except (ValueError, KeyError) as exc:
        raise _bad_nef(f"malformed: {exc}") from None
    if not script:
        raise _bad_nef("empty script")
    if reader.pos != len(reader.data):
        raise _bad_nef("trailing bytes after the checksum")
    expected = hashlib.sha256(hashlib.sha256(reader.data[:body_end]).digest()).digest()[:4]
    if checksum != int.from_bytes(expected, "little"):
        raise _bad_nef("checksum does not match the content")
    return NefInfo(compiler=compiler, checksum=checksum, script=script)


def manifest_bytes(manifest: Any) -> bytes:
    """The manifest as compact JSON, after neo-mamba parsed it; ValidationFailed naming
    ``manifest`` if it is not a valid contract manifest."""
    if not isinstance(manifest, dict):
        raise ValidationFailed.on("manifest", "neo_manifest", "must be a JSON object")
    try:
        neo_manifest.ContractManifest.from_json(manifest)
    except Exception as exc:  # noqa: BLE001  # jsonschema, KeyError, ValueError: all mean malformed
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ValidationFailed.on("manifest", "neo_manifest", f"invalid: {message}") from None
    if not str(manifest.get("name", "")).strip():
        raise ValidationFailed.on("manifest", "neo_manifest", "name must not be empty")
    encoded = json.dumps(manifest, separators=(",", ":"), ensure_ascii=False).encode()
    if len(encoded) > MAX_MANIFEST:
        raise ValidationFailed.on("manifest", "max_length", f"longer than {MAX_MANIFEST} bytes")
    return encoded


def contract_hash(sender: bytes, nef_checksum: int, name: str) -> bytes:
    """Little-endian script hash of the contract ``sender`` deploys."""
    return get_contract_hash(types.UInt160(sender), nef_checksum, name).to_array()


def deploy_script(nef: bytes, manifest: bytes, data: Any = None, with_data: bool = False) -> bytes:
    """ContractManagement.deploy(nef, manifest[, data])."""
    args: list[Any] = [nef, manifest] + ([data] if with_data else [])
    return emit_call(CONTRACT_HASHES.MANAGEMENT, "deploy", args)
