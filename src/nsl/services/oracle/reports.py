"""Report targets and their messages: every round is signed for the off-chain target (the
Neo N3 form with network 0 and the zero contract) and for each configured consumer contract,
in the exact bytes ``OracleConsumer.submit`` checks (``nsl.chains.reports``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from nsl.chains.neo_n3.accounts import compressed_key
from nsl.chains.neo_x.accounts import address_bytes, checksum_address
from nsl.chains.reports import oracle_report_message, pack_signatures, sign_oracle_report
from nsl.core.chain import NEO_N3, NEO_X
from nsl.core.enclave import Enclave, SignAlgorithm
from nsl.services.oracle import verifying
from nsl.services.oracle.nodekeys import Member, NodeKey

OFFCHAIN = "offchain"
ZERO_CONTRACT = "0x" + "00" * 20
OBSERVATION_DOMAIN = b"NSL/oracle-observation/v1"


@dataclass(frozen=True)
class Target:
    chain: str  # offchain | neo-n3 | neo-x
    network_id: int
    contract: str

    @property
    def key(self) -> str:
        return OFFCHAIN if self.chain == OFFCHAIN else f"{self.chain}:{self.contract}"

    def message(self, feed: str, round_id: int, answer: int, timestamp: int) -> bytes:
        if self.chain == OFFCHAIN:
            return oracle_report_message(
                NEO_N3, 0, ZERO_CONTRACT, feed, round_id, answer, timestamp
            )
        return oracle_report_message(
            self.chain, self.network_id, self.contract, feed, round_id, answer, timestamp
        )

    def as_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "network_id": self.network_id, "contract": self.contract}


OFFCHAIN_TARGET = Target(OFFCHAIN, 0, ZERO_CONTRACT)


def observation_message(feed: str, round_id: int, answer: int, timestamp: int, node: str) -> bytes:
    body = {
        "answer": str(answer),
        "feed": feed,
        "node": node,
        "round_id": round_id,
        "timestamp": timestamp,
    }
    return OBSERVATION_DOMAIN + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


async def sign(enclave: Enclave, key: NodeKey, target: Target, message: bytes) -> bytes:
    """This node's signature over a target's message (secp256k1 for Neo X, else secp256r1)."""
    if target.chain == NEO_X:

        async def with_x(data: bytes, algorithm: SignAlgorithm) -> bytes:
            return await enclave.sign(key.x_ref, data, algorithm)

        return await sign_oracle_report(NEO_X, message, with_x)
    return await enclave.sign(key.n3_ref, message, SignAlgorithm.ECDSA_SHA256)


def signer_id(chain: str, member: Member) -> str:
    """How a member is named in a target's signatures: compressed key hex, or Neo X address."""
    if chain == NEO_X:
        return checksum_address(address_bytes(member.x))
    return compressed_key(member.n3).hex()


def valid(target: Target, message: bytes, member: Member, signature: bytes) -> bool:
    if target.chain == NEO_X:
        return verifying.eip191_signer(message, signature) == signer_id(NEO_X, member)
    return verifying.p256_valid(member.n3, message, signature)


def packed(target: Target, members: list[Member], by_member: dict[int, bytes]) -> str | None:
    """The ``signatures`` argument of ``submit`` (hex) for a chain target; None off chain."""
    if target.chain == OFFCHAIN:
        return None
    keys = [m.x if target.chain == NEO_X else m.n3 for m in members]
    chosen = {keys[i]: sig for i, sig in by_member.items()}
    return pack_signatures(target.chain, keys, chosen).hex()


def chain_of(name: str) -> str:
    return name if name in (OFFCHAIN, NEO_N3, NEO_X) else ""
