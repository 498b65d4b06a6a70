"""Test harness for the randomness service: the service alone on a real database, or the whole
gateway (runtime, auth, enclave, audit log) spoken to in-process over HTTP."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from tests.contexts import started_context

from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics
from nsl.core.security import Principal, Role
from nsl.core.settings import Settings
from nsl.gateway.app import create_app
from nsl.runtime import Runtime
from nsl.services.randomness.service import RandomnessService

ADMIN_KEY = "nsl_test_admin_" + "r" * 40
ALICE = Principal(id="p-alice", name="alice", kind="user", roles=frozenset({Role.USER}))
BOB = Principal(id="p-bob", name="bob", kind="user", roles=frozenset({Role.AUDITOR}))
P256 = "ECVRF-P256-SHA256-TAI"
ED25519 = "ECVRF-EDWARDS25519-SHA512-TAI"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        env="test", data_dir=tmp_path / "var", bootstrap_admin_key=ADMIN_KEY, **overrides
    )


async def start_service(
    settings: Settings, database: Any, clock: ManualClock, metrics: Metrics
) -> RandomnessService:
    ctx = await started_context(settings, database, clock, metrics)
    service = RandomnessService(ctx)
    await service.start()
    return service


async def stop_service(service: RandomnessService) -> None:
    await service.stop()
    await service.ctx.audit.close()  # type: ignore[attr-defined]
    await service.ctx.enclave.close()


async def rows(database: Any, sql: str, **params: Any) -> list[Any]:
    async with database.session() as session:
        return list((await session.execute(text(sql), params)).all())


async def audit_entries(database: Any) -> list[tuple[Any, ...]]:
    """(actor, action, target, outcome, data_hash) of the service's audit entries, in order."""
    found = await rows(
        database,
        "SELECT actor, action, target, outcome, data_hash FROM audit_entries "
        "WHERE service = 'randomness' ORDER BY seq",
    )
    return [tuple(r) for r in found]


def expected_values(beta: bytes, count: int, low: int, high: int) -> list[int]:
    """docs/decisions/0006-vrf-values.md, written out again independently of the library."""
    span = high - low + 1
    if span == 1:
        return [low] * count
    width = (len(format(span - 1, "b")) + 7) // 8
    limit = 256**width - 256**width % span
    out: list[int] = []
    counter, buffer = 0, b""
    while len(out) < count:
        while len(buffer) < width:
            block = b"nsl-vrf-values" + beta + counter.to_bytes(4, "big")
            buffer += hashlib.sha256(block).digest()
            counter += 1
        candidate, buffer = int.from_bytes(buffer[:width], "big"), buffer[width:]
        if candidate < limit:
            out.append(low + candidate % span)
    return out


class Api:
    """A started gateway running the randomness service, and helpers to act as principals."""

    def __init__(self, settings: Settings, clock: ManualClock | None = None) -> None:
        self.settings = settings
        self.runtime = Runtime(settings, clock=clock, only=["randomness"])
        self.app = create_app(settings, runtime=self.runtime)
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://gateway.test"
        )

    @property
    def service(self) -> RandomnessService:
        service: RandomnessService = self.runtime.services["randomness"]
        return service

    async def __aenter__(self) -> Api:
        await self.runtime.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()
        await self.runtime.stop()

    async def user(self, name: str, roles: list[str] | None = None) -> dict[str, str]:
        """Headers authenticating a new principal with ``roles`` (default: user)."""
        auth = self.runtime.services["auth"]
        record = await auth.create_principal(name, "user", roles or ["user"], "Correct-Horse-42!")
        _, raw = await auth.create_api_key(record.id, f"{name}-key")
        return {"X-API-Key": raw}
