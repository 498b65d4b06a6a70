"""Request bodies of the randomness API (unknown fields are refused)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from nsl.services.randomness.rules import DEFAULT_MAX, DEFAULT_MIN

DEFAULT_SUITE = "ECVRF-P256-SHA256-TAI"


class GenerateBody(BaseModel):
    """``POST /api/v1/randomness``."""

    model_config = ConfigDict(extra="forbid")

    alpha: StrictStr = Field(description="the VRF input, hex, 1-1024 bytes")
    count: StrictInt = Field(1, description="how many values, 1-1000")
    min_value: StrictInt = Field(DEFAULT_MIN, alias="min", description="smallest value")
    max_value: StrictInt = Field(DEFAULT_MAX, alias="max", description="largest value")
    suite: StrictStr = Field(
        DEFAULT_SUITE, description="ECVRF-P256-SHA256-TAI or ECVRF-EDWARDS25519-SHA512-TAI"
    )
    request_id: StrictStr | None = Field(
        None, description="your idempotency key: a repeat returns the stored result"
    )


class VerifyBody(BaseModel):
    """``POST /api/v1/randomness/verify``: a proof to check, optionally with its values."""

    model_config = ConfigDict(extra="forbid")

    public_key: StrictStr
    proof: StrictStr
    alpha: StrictStr
    suite: StrictStr = DEFAULT_SUITE
    count: StrictInt | None = Field(None, description="default: len(values) when given")
    min_value: StrictInt = Field(DEFAULT_MIN, alias="min")
    max_value: StrictInt = Field(DEFAULT_MAX, alias="max")
    values: list[StrictInt] | None = Field(None, description="values to check against beta")
