"""Request bodies of the oracle API (unknown fields are refused)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr


class SourceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: StrictStr = Field(description="unique within the feed")
    url: StrictStr = Field(description="an https:// JSON endpoint (public host)")
    path: StrictStr = Field(description="JSONPath subset, e.g. $.data.price or $['p'][0]")
    weight: StrictStr | StrictInt = Field(1, description="for weighted_median, a decimal > 0")
    headers: dict[str, StrictStr | dict[str, StrictStr]] = Field(
        default_factory=dict,
        description='request headers; a value {"secret": "path", "key": "name"} is read '
        "from the secrets service as the feed's owner",
    )
    timeout_s: float | None = Field(None, description="default: the oracle setting")


class FeedBody(BaseModel):
    """``POST /api/v1/oracle/feeds``."""

    model_config = ConfigDict(extra="forbid")

    name: StrictStr = Field(description="the feed id on chain, 1-60 bytes, e.g. NEO/USD")
    description: StrictStr = ""
    decimals: StrictInt = Field(8, description="answer = round(value * 10**decimals)")
    sources: list[SourceBody]
    aggregation: StrictStr = Field("median", description="median | trimmed_mean | weighted_median")
    min_sources: StrictInt = Field(3, description="answering sources needed for a round")
    deviation: StrictStr = Field("0.005", description="relative change that publishes a round")
    heartbeat_s: StrictInt = Field(3600, description="a round at least this often")


class FeedPatch(BaseModel):
    """``PATCH /api/v1/oracle/feeds/{feed}``."""

    model_config = ConfigDict(extra="forbid")

    status: StrictStr | None = Field(None, description="active | paused")
    description: StrictStr | None = None


class SignatureItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signer: StrictStr = Field(description="hex public key (Neo N3, off-chain) or 0x address")
    signature: StrictStr = Field(description="hex: 64-byte r||s or 65-byte r||s||v (Neo X)")


class VerifyBody(BaseModel):
    """``POST /api/v1/oracle/verify``: a report as ``latest`` returns one target of it."""

    model_config = ConfigDict(extra="forbid")

    chain: StrictStr = Field(description="offchain | neo-n3 | neo-x")
    network_id: StrictInt = 0
    contract: StrictStr | None = None
    feed: StrictStr
    round_id: StrictInt
    answer: StrictStr | StrictInt
    timestamp: StrictInt
    signatures: list[SignatureItem]
    signers: list[StrictStr] | None = Field(
        None, description="signer set to check against; default: this oracle's"
    )
    threshold: StrictInt | None = Field(None, description="default: this oracle's quorum")


class RequestBody(BaseModel):
    """``POST /api/v1/oracle/requests``: fetch ``url`` and pick ``filter`` (JSONPath)."""

    model_config = ConfigDict(extra="forbid")

    url: StrictStr
    filter: StrictStr
