"""Request bodies of the contracts API (unknown fields are refused).

One deploy body serves both chains: Neo N3 takes ``nef`` + ``manifest`` (+ ``data``), Neo X
takes ``bytecode`` + ``abi`` (+ ``args``); the service refuses the other chain's fields.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeployBody(_Body):
    key_id: StrictStr = Field(description="the key that signs and pays (yours)")
    name: StrictStr | None = Field(None, description="your label; Neo N3 default: manifest name")
    nef: StrictStr | None = Field(None, description="Neo N3: the NEF file, base64")
    manifest: dict[str, Any] | StrictStr | None = Field(
        None, description="Neo N3: the manifest, as JSON or a JSON string"
    )
    data: Any = Field(None, description="Neo N3: the argument given to _deploy")
    bytecode: StrictStr | None = Field(None, description="Neo X: init code, 0x-hex")
    abi: list[Any] | None = Field(None, description="Neo X: the contract's JSON ABI")
    args: list[Any] | None = Field(None, description="Neo X: constructor arguments")


class CallBody(_Body):
    contract: StrictStr = Field(description="Neo N3 script hash 0x… or Neo X address 0x…")
    method: StrictStr
    args: list[Any] = Field(default_factory=list)
    abi: list[Any] | None = Field(
        None, description="Neo X: the ABI, if we have no deployment record of the contract"
    )


class InvokeBody(CallBody):
    key_id: StrictStr = Field(description="the key that signs and pays (yours)")
