"""The service's VRF keys: one enclave key per suite, created once (race-safe) and self-tested.

The first process to start stores the suite's key row; a process that loses the race destroys
the enclave key it made and uses the winner's. Each loaded key proves and verifies a fixed
input before the service answers anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nsl.core.context import ServiceContext
from nsl.core.enclave import EnclaveUnsupported, KeyType
from nsl.core.health import Check, Status
from nsl.enclave.ecvrf import EDWARDS25519_SHA512_TAI, P256_SHA256_TAI, VrfInvalid, suite_for
from nsl.services.randomness.errors import SelfCheckFailed, SuiteUnavailable
from nsl.services.randomness.models import RandomnessVrfKey
from nsl.services.randomness.repository import DuplicateKey, RandomnessRepository

PURPOSE = "randomness/vrf"
SELF_TEST_ALPHA = b"nsl-randomness-self-test"
KEY_TYPES = {
    P256_SHA256_TAI.name: KeyType.SECP256R1,
    EDWARDS25519_SHA512_TAI.name: KeyType.ED25519,
}


@dataclass(frozen=True)
class VrfKey:
    suite: str
    key_ref: str
    public_key: bytes
    created_at: datetime


class VrfKeyring:
    """Loads (or creates) the keys at start; answers which key serves a suite."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.keys: dict[str, VrfKey] = {}
        self.unavailable: dict[str, str] = {}

    async def load(self) -> None:
        for suite, key_type in KEY_TYPES.items():
            try:
                key = await self._load_or_create(suite, key_type)
            except EnclaveUnsupported as exc:
                self.unavailable[suite] = exc.detail
                continue
            await self.self_test(key)
            self.keys[suite] = key

    def clear(self) -> None:
        self.keys.clear()
        self.unavailable.clear()

    def key(self, suite: str) -> VrfKey:
        key = self.keys.get(suite)
        if key is None:
            reason = self.unavailable.get(suite, "the randomness service is not started")
            raise SuiteUnavailable(f"{suite} is not available: {reason}")
        return key

    def check(self) -> Check:
        loaded = sorted(self.keys)
        if not loaded:
            return Check("randomness.vrf_keys", Status.DOWN, "no VRF key loaded")
        if self.unavailable:
            missing = ", ".join(sorted(self.unavailable))
            return Check("randomness.vrf_keys", Status.DEGRADED, f"unavailable: {missing}")
        return Check("randomness.vrf_keys", Status.OK, ", ".join(loaded))

    async def self_test(self, key: VrfKey) -> None:
        """Prove a fixed input in the enclave and verify it under the stored public key."""
        proof = await self.ctx.enclave.vrf_prove(key.key_ref, SELF_TEST_ALPHA)
        try:
            suite_for(key.suite).verify(key.public_key, proof, SELF_TEST_ALPHA)
        except VrfInvalid as exc:
            raise SelfCheckFailed(
                f"the enclave key for {key.suite} does not match its stored public key"
            ) from exc

    async def _read(self, suite: str) -> VrfKey | None:
        async with self.ctx.database.session() as session:
            row = await RandomnessRepository(session).vrf_key(suite)
        return (
            None if row is None else VrfKey(row.suite, row.key_ref, row.public_key, row.created_at)
        )

    async def _load_or_create(self, suite: str, key_type: KeyType) -> VrfKey:
        existing = await self._read(suite)
        if existing is not None:
            return existing
        info = await self.ctx.enclave.generate_key(key_type, purpose=PURPOSE)
        key = VrfKey(suite, info.key_ref, info.public_key, self.ctx.clock.now())
        row = RandomnessVrfKey(
            suite=suite, key_ref=key.key_ref, public_key=key.public_key, created_at=key.created_at
        )
        try:
            async with self.ctx.database.session() as session:
                await RandomnessRepository(session).add_vrf_key(row)
        except DuplicateKey:
            await self.ctx.enclave.destroy_key(info.key_ref)
            winner = await self._read(suite)
            if winner is None:
                raise
            return winner
        return key
