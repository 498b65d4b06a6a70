"""The platform contracts as compiled by ``make contracts`` (``contracts/build.py``) and a loader.

Neo N3 artefacts carry the NEF (base64) and manifest; Neo X artefacts the ABI and init bytecode.
Each records its source file's SHA-256, so a source edited without a rebuild is detected.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from nsl.core.chain import NEO_N3, Deployment, chain_name
from nsl.core.errors import NslError, ValidationFailed

PLATFORM_CONTRACTS: tuple[str, ...] = ("ServiceRegistry", "OracleConsumer", "RandomnessConsumer")
FORMAT = 1


class ArtifactCorrupt(NslError):
    """A packaged artefact that does not parse: the installation is broken, not the request."""

    code = "chain.artifact_corrupt"
    title = "Packaged contract artefact is unreadable"


@dataclass(frozen=True)
class Artifact:
    """One compiled contract. ``code`` is the NEF file (Neo N3) or the init bytecode (Neo X)."""

    chain: str
    name: str
    source: str  # repository-relative path of the source file
    source_sha256: str
    compiler: str
    code: bytes
    manifest: dict[str, Any] | None = None  # Neo N3
    abi: list[dict[str, Any]] = field(default_factory=list)  # Neo X (N3: manifest["abi"])
    runtime_code: bytes = b""  # Neo X: what the chain stores after the constructor ran

    def deployment(self, args: list[Any] | None = None) -> Deployment:
        """What ``Chain.deploy`` takes; ``args`` go to ``_deploy`` (N3) or the constructor."""
        if self.chain == NEO_N3:
            return Deployment(code=self.code, manifest=self.manifest, args=list(args or []))
        return Deployment(code=self.code, abi=self.abi, args=list(args or []))

    def __repr__(self) -> str:
        return f"Artifact({self.chain}/{self.name}, {self.compiler}, {len(self.code)} bytes)"


def _bytes(raw: Any, encoding: str, where: str) -> bytes:
    try:
        if encoding == "base64" and isinstance(raw, str):
            return base64.b64decode(raw, validate=True)
        if encoding == "hex" and isinstance(raw, str) and raw.startswith("0x"):
            return bytes.fromhex(raw[2:])
    except (binascii.Error, ValueError):
        pass
    raise ArtifactCorrupt(f"{where}: not {encoding} text")


def _parse(chain: str, name: str, data: dict[str, Any], where: str) -> Artifact:
    if data.get("format") != FORMAT or data.get("chain") != chain or data.get("name") != name:
        raise ArtifactCorrupt(f"{where}: format, chain or name does not match its file")
    source, digest = str(data["source"]), str(data["source_sha256"])
    compiler = str(data["compiler"])
    if chain == NEO_N3:
        manifest = data["manifest"]
        if not isinstance(manifest, dict) or manifest.get("name") != name:
            raise ArtifactCorrupt(f"{where}: manifest missing or named differently")
        nef = _bytes(data["nef"], "base64", where)
        return Artifact(chain, name, source, digest, compiler, nef, manifest=manifest)
    abi = data["abi"]
    if not isinstance(abi, list):
        raise ArtifactCorrupt(f"{where}: abi is not a list")
    code = _bytes(data["bytecode"], "hex", where)
    runtime = _bytes(data["bytecode_runtime"], "hex", where)
    return Artifact(chain, name, source, digest, compiler, code, abi=abi, runtime_code=runtime)


@cache
def load_artifact(chain: str, name: str) -> Artifact:
    """The compiled ``name`` (one of :data:`PLATFORM_CONTRACTS`) for ``chain``."""
    chain = chain_name(chain)
    if name not in PLATFORM_CONTRACTS:
        allowed = ", ".join(PLATFORM_CONTRACTS)
        raise ValidationFailed.on("name", "platform_contract", f"use one of {allowed}")
    where = f"{chain.replace('-', '_')}/{name}.json"
    resource = resources.files(__name__).joinpath(where)
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
        return _parse(chain, name, data, where)
    except FileNotFoundError:
        raise ArtifactCorrupt(f"{where} is missing: run make contracts") from None
    except (ValueError, KeyError, TypeError) as error:
        raise ArtifactCorrupt(f"{where}: {type(error).__name__}") from None
