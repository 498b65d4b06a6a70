"""Publishing a fulfilled request on chain: the VRF output goes to a consumer contract's
``fulfill(request_id, randomness)``, in a transaction signed by the caller's key (the account
the consumer contract accepts as its fulfiller) through the contracts service."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from nsl.chains.artifacts import load_artifact
from nsl.core.chain import NEO_N3, NEO_X, chain_name
from nsl.core.errors import Conflict
from nsl.core.security import Principal
from nsl.services.contracts.client import ContractsClient
from nsl.services.randomness.models import RandomnessRequest

CONSUMER_METHOD = "fulfill"
CONSUMER_EVENT = "RandomnessFulfilled"


class PublishBody(BaseModel):
    """``POST /api/v1/randomness/{request_id}/publish``."""

    model_config = ConfigDict(extra="forbid")

    chain: StrictStr = Field(description="neo-n3 or neo-x")
    contract: StrictStr = Field(description="the consumer contract (script hash or address)")
    consumer_request_id: StrictInt = Field(ge=0, description="the id the contract issued")
    key_id: StrictStr = Field(description="your key: the consumer's registered fulfiller")


class NotFulfilled(Conflict):
    code = "randomness.not_fulfilled"


def consumer_abi(chain: str) -> list[dict[str, Any]] | None:
    """Neo X: the consumer interface (our RandomnessConsumer's ``fulfill`` and its event), so
    any contract implementing it can be fulfilled, deployed by us or not. Neo N3 needs none."""
    if chain != NEO_X:
        return None
    abi = load_artifact(NEO_X, "RandomnessConsumer").abi
    return [entry for entry in abi if entry.get("name") in (CONSUMER_METHOD, CONSUMER_EVENT)]


def fulfil_args(chain: str, consumer_request_id: int, beta: bytes) -> list[Any]:
    if chain == NEO_N3:
        return [consumer_request_id, {"type": "ByteArray", "value": beta.hex()}]
    return [consumer_request_id, "0x" + beta.hex()]


async def publish(
    contracts: ContractsClient, row: RandomnessRequest, body: PublishBody, principal: Principal
) -> dict[str, Any]:
    chain = chain_name(body.chain)
    if row.beta is None:
        raise NotFulfilled(f"request {row.request_id!r} is {row.status}, not fulfilled")
    invocation = await contracts.invoke(
        chain,
        body.contract,
        CONSUMER_METHOD,
        fulfil_args(chain, body.consumer_request_id, row.beta),
        key_id=body.key_id,
        principal=principal,
        abi=consumer_abi(chain),
    )
    return {
        "request_id": row.request_id,
        "consumer_request_id": body.consumer_request_id,
        "randomness": row.beta.hex(),
        "invocation": invocation,
    }
