"""This node's signing keys: a secp256r1 key (Neo N3 reports, observations, off-chain reports)
and a secp256k1 key (Neo X reports), both enclave items of the oracle's own, created once per
``node_id`` (race-safe) and self-tested at start. The signer set comes from settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from nsl.core.context import ServiceContext
from nsl.core.enclave import KeyType, SignAlgorithm
from nsl.core.health import Check, Status
from nsl.core.settings import OracleSettings
from nsl.services.oracle import verifying
from nsl.services.oracle.errors import NodeUnavailable
from nsl.services.oracle.models import OracleNode

PURPOSE = "oracle/node"
SELF_TEST = b"nsl-oracle-node-self-test"


@dataclass(frozen=True)
class Member:
    """One signer-set member: its Neo N3 (secp256r1) and Neo X (secp256k1) public keys."""

    n3: bytes
    x: bytes


@dataclass(frozen=True)
class NodeKey:
    node_id: str
    n3_ref: str
    n3_public: bytes
    x_ref: str
    x_public: bytes

    @property
    def member(self) -> Member:
        return Member(self.n3_public, self.x_public)


def signer_set(settings: OracleSettings, own: NodeKey | None) -> list[Member]:
    """The configured node set; empty means this node alone (a single-node development oracle)."""
    if settings.signers:
        return [Member(bytes.fromhex(s.neo_n3), bytes.fromhex(s.neo_x)) for s in settings.signers]
    return [own.member] if own is not None else []


def quorum(settings: OracleSettings, members: int) -> int:
    """``settings.quorum`` or 2f+1 of n = 3f+1 (f = (n-1)//3), never above n."""
    if settings.quorum is not None:
        return min(settings.quorum, max(members, 1))
    return 2 * ((members - 1) // 3) + 1 if members else 1


class NodeKeys:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.key: NodeKey | None = None

    def own(self) -> NodeKey:
        if self.key is None:
            raise NodeUnavailable("this oracle node's keys are not loaded")
        return self.key

    def check(self) -> Check:
        if self.key is None:
            return Check("oracle.node_keys", Status.DOWN, "no node key loaded")
        return Check("oracle.node_keys", Status.OK, self.key.node_id)

    async def load(self) -> None:
        node_id = self.ctx.settings.oracle.node_id
        key = await self._read(node_id) or await self._create(node_id)
        await self._self_test(key)
        self.key = key

    async def _read(self, node_id: str) -> NodeKey | None:
        async with self.ctx.database.session() as session:
            row = await session.get(OracleNode, node_id)
        if row is None:
            return None
        return NodeKey(
            row.node_id, row.n3_key_ref, row.n3_public_key, row.x_key_ref, row.x_public_key
        )

    async def _create(self, node_id: str) -> NodeKey:
        n3 = await self.ctx.enclave.generate_key(KeyType.SECP256R1, purpose=PURPOSE)
        x = await self.ctx.enclave.generate_key(KeyType.SECP256K1, purpose=PURPOSE)
        row = OracleNode(
            node_id=node_id,
            n3_key_ref=n3.key_ref,
            n3_public_key=n3.public_key,
            x_key_ref=x.key_ref,
            x_public_key=x.public_key,
            created_at=self.ctx.clock.now(),
        )
        try:
            async with self.ctx.database.session() as session:
                session.add(row)
                await session.flush()
        except IntegrityError:  # another process with the same node_id came first
            await self.ctx.enclave.destroy_key(n3.key_ref)
            await self.ctx.enclave.destroy_key(x.key_ref)
            winner = await self._read(node_id)
            if winner is None:
                raise
            return winner
        return NodeKey(node_id, n3.key_ref, n3.public_key, x.key_ref, x.public_key)

    async def _self_test(self, key: NodeKey) -> None:
        signature = await self.ctx.enclave.sign(key.n3_ref, SELF_TEST, SignAlgorithm.ECDSA_SHA256)
        if not verifying.p256_valid(key.n3_public, SELF_TEST, signature):
            raise NodeUnavailable(f"oracle node {key.node_id}: enclave key does not match")
